"""Pure training analysis: activities in, classifications, load and feedback out.

Nothing in this package touches the network, a database or the clock; callers pass
everything in, including "now".
"""
