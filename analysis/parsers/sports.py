"""Sport names as files spell them, mapped to Strava's sport_type vocabulary."""

from __future__ import annotations

import re

#: Sport types whose cadence is counted per foot by devices and files (strides per
#: minute, Garmin's convention, also Strava's); the model counts steps.
ON_FOOT = frozenset({"Run", "TrailRun", "VirtualRun", "Walk", "Hike"})

#: Names seen in GPX <type> and TCX Sport attributes, lower-cased without spaces,
#: underscores or hyphens. Strava's GPX export wrote its old numeric activity
#: types (1 ride, 9 run); Garmin writes words.
NAMES = {
    "1": "Ride", "9": "Run",
    "run": "Run", "running": "Run", "streetrunning": "Run", "trackrunning": "Run",
    "trailrun": "TrailRun", "trailrunning": "TrailRun", "treadmillrunning": "Run",
    "virtualrun": "VirtualRun",
    "ride": "Ride", "cycling": "Ride", "biking": "Ride", "roadbiking": "Ride",
    "roadcycling": "Ride", "mountainbiking": "MountainBikeRide",
    "mountainbikeride": "MountainBikeRide", "gravelride": "GravelRide",
    "gravelcycling": "GravelRide", "ebikeride": "EBikeRide", "virtualride": "VirtualRide",
    "walk": "Walk", "walking": "Walk", "hike": "Hike", "hiking": "Hike",
    "swim": "Swim", "swimming": "Swim", "openwaterswimming": "Swim",
    "weighttraining": "WeightTraining", "strengthtraining": "WeightTraining",
    "workout": "Workout", "other": "Workout", "training": "Workout",
    "rowing": "Rowing", "yoga": "Yoga", "elliptical": "Elliptical",
    "nordicski": "NordicSki", "crosscountryskiing": "NordicSki", "skiing": "NordicSki",
    "alpineski": "AlpineSki", "alpineskiing": "AlpineSki", "downhillskiing": "AlpineSki",
    "backcountryski": "BackcountrySki", "backcountryskiing": "BackcountrySki",
    "skitouring": "BackcountrySki", "snowboard": "Snowboard", "snowboarding": "Snowboard",
    "snowshoe": "Snowshoe", "snowshoeing": "Snowshoe",
    "rockclimbing": "RockClimbing", "climbing": "RockClimbing", "bouldering": "RockClimbing",
    "kayaking": "Kayaking", "canoeing": "Canoeing", "paddling": "Canoeing",
    "standuppaddling": "StandUpPaddling", "inlineskating": "InlineSkate",
    "iceskating": "IceSkate",
}


def sport_from_name(text: str | None) -> str | None:
    """Strava sport type for a file's sport name, None when it names none we know."""
    if not text:
        return None
    return NAMES.get(re.sub(r"[\s_\-]", "", text).lower())


def cadence_factor(sport: str) -> float:
    """Multiplier from a file's cadence to steps (or revolutions) per minute."""
    return 2.0 if sport in ON_FOOT else 1.0
