"""Strava's vocabularies: sport types, the legacy activity types and stream types."""

from __future__ import annotations

#: Strava's ``sport_type`` values (developers.strava.com/docs/reference, SportType).
SPORT_TYPES = frozenset({
    "AlpineSki", "BackcountrySki", "Badminton", "Basketball", "Canoeing", "Cricket", "Crossfit",
    "Dance", "EBikeRide", "Elliptical", "EMountainBikeRide", "Golf", "GravelRide", "Handcycle",
    "HighIntensityIntervalTraining", "Hike", "IceSkate", "InlineSkate", "Kayaking", "Kitesurf",
    "MountainBikeRide", "NordicSki", "Padel", "PhysicalTherapy", "Pickleball", "Pilates",
    "Racquetball", "Ride", "RockClimbing", "RollerSki", "Rowing", "Run", "Sail", "Skateboard",
    "Snowboard", "Snowshoe", "Soccer", "Squash", "StairStepper", "StandUpPaddling", "Surfing",
    "Swim", "TableTennis", "Tennis", "TrailRun", "Velomobile", "VirtualRide", "VirtualRow",
    "VirtualRun", "Volleyball", "Walk", "WeightTraining", "Wheelchair", "Windsurf", "Workout",
    "Yoga",
})
#: Strava's deprecated ``type`` values (ActivityType), a subset of the sport types.
ACTIVITY_TYPES = frozenset({
    "AlpineSki", "BackcountrySki", "Canoeing", "Crossfit", "EBikeRide", "Elliptical", "Golf",
    "Handcycle", "Hike", "IceSkate", "InlineSkate", "Kayaking", "Kitesurf", "NordicSki", "Ride",
    "RockClimbing", "RollerSki", "Rowing", "Run", "Sail", "Skateboard", "Snowboard", "Snowshoe",
    "Soccer", "StairStepper", "StandUpPaddling", "Surfing", "Swim", "Velomobile", "VirtualRide",
    "VirtualRun", "Walk", "WeightTraining", "Wheelchair", "Windsurf", "Workout", "Yoga",
})
#: Newer sport types whose legacy type is not "Workout".
LEGACY_TYPES = {
    "TrailRun": "Run",
    "MountainBikeRide": "Ride",
    "GravelRide": "Ride",
    "EMountainBikeRide": "EBikeRide",
    "VirtualRow": "Rowing",
}
#: Strava's stream types (StreamType), in the order Strava documents them.
STREAM_TYPES = ("time", "distance", "latlng", "altitude", "velocity_smooth", "heartrate",
                "cadence", "watts", "temp", "moving", "grade_smooth")


def legacy_type(sport_type: str) -> str:
    """Strava's deprecated ``type`` for a ``sport_type``."""
    if sport_type in ACTIVITY_TYPES:
        return sport_type
    return LEGACY_TYPES.get(sport_type, "Workout")
