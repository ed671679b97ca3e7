"""Planning before the day: how many shared tables an event needs, and what one slot more or fewer
a day would change (`plan_capacity`); the modified events it compares (`variants`)."""

from scheduler.planning.capacity import (
    CapacityPlan,
    CapacityRow,
    PlanOptions,
    PlanProgress,
    PlanStopped,
    max_useful_tables,
    plan_capacity,
)
from scheduler.planning.variants import with_slot_change, with_tables

__all__ = [
    "CapacityPlan",
    "CapacityRow",
    "PlanOptions",
    "PlanProgress",
    "PlanStopped",
    "max_useful_tables",
    "plan_capacity",
    "with_slot_change",
    "with_tables",
]
