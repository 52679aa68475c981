"""Helpers the test packages share: fixtures' machinery and the steps several tests take."""
