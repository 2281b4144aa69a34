"""Column types shared by the models."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


def enum_column(cls: type[enum.Enum]) -> Enum:
    # Store the values ("securex"), not the Python names, so SQL reads like the UI.
    return Enum(cls, native_enum=False, length=32, values_callable=lambda members: [m.value for m in members])
