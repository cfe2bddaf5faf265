"""A fast, exact validity check for numbers already written in E.164.

Most cells of a real lead list are already ``+41798284651``. phonenumbers spends ~30 µs on
each (parse, then region detection and type matching, looking every pattern up in its regex
cache each time). This module answers the same question — is it valid? — from the same
metadata with the patterns compiled once, in a few microseconds. It follows phonenumbers'
``parse`` → ``is_valid_number`` step by step and declines (returns ``None``) wherever
``parse`` would change the digits (a national prefix, leading zeros, a length ``parse``
refuses), so the caller falls back to phonenumbers itself there. Where it answers "invalid"
the digits are exactly what ``parse`` would keep, so phonenumbers' own reason can be asked
for without parsing again. Its agreement with phonenumbers is tested on random numbers and
on every example number libphonenumber ships.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata
from phonenumbers.phonenumberutil import region_code_for_country_code

_MAX_NSN = 17
_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)

Desc = tuple[frozenset[int] | None, re.Pattern[str]] | None


def _desc(number_desc: object) -> Desc:
    if number_desc is None:
        return None
    pattern = getattr(number_desc, "national_number_pattern", None)
    if not pattern:
        return None
    lengths = getattr(number_desc, "possible_length", ()) or ()
    return (frozenset(lengths) or None, re.compile(pattern))


def _matches(nsn: str, desc: Desc) -> bool:
    if desc is None:
        return False
    lengths, pattern = desc
    if lengths is not None and len(nsn) not in lengths:
        return False
    return pattern.fullmatch(nsn) is not None


@dataclass(frozen=True, slots=True)
class _Region:
    leading_digits: re.Pattern[str] | None
    general: Desc
    #: Per number length, all type patterns allowed at that length as one alternation.
    by_length: dict[int, re.Pattern[str]]
    #: The types with no length restriction, for any other length.
    other_lengths: re.Pattern[str] | None

    def has_type(self, nsn: str) -> bool:
        """phonenumbers' ``_number_type_helper(...) != UNKNOWN``: the general description
        matches and so does at least one type's (the order of types does not matter here)."""
        if not _matches(nsn, self.general):
            return False
        pattern = self.by_length.get(len(nsn), self.other_lengths)
        return pattern is not None and pattern.fullmatch(nsn) is not None


def _alternation(patterns: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def _region(metadata: object) -> _Region:
    leading = getattr(metadata, "leading_digits", None)
    descs = [d for d in (_desc(getattr(metadata, name, None)) for name in _TYPES) if d]
    free = [pattern.pattern for lengths, pattern in descs if lengths is None]
    lengths = {n for restricted, _ in descs if restricted for n in restricted}
    by_length = {}
    for size in lengths:
        allowed = [
            pattern.pattern
            for restricted, pattern in descs
            if restricted is None or size in restricted
        ]
        compiled = _alternation(allowed)
        if compiled is not None:
            by_length[size] = compiled
    return _Region(
        re.compile(leading) if leading else None,
        _desc(getattr(metadata, "general_desc", None)),
        by_length,
        _alternation(free),
    )


@dataclass(frozen=True, slots=True)
class _Country:
    national_prefix: re.Pattern[str] | None
    regions: tuple[_Region | None, ...]


class FastE164:
    """``valid(text)``: True or False for an E.164 string, None when phonenumbers must
    parse it; ``split(text)`` gives the country code and national number it judged."""

    def __init__(self) -> None:
        self._countries: dict[int, _Country | None] = {}

    def _country(self, code: int) -> _Country | None:
        try:
            return self._countries[code]
        except KeyError:
            pass
        regions = COUNTRY_CODE_TO_REGION_CODE.get(code)
        country = None
        if regions:
            main = PhoneMetadata.metadata_for_region_or_calling_code(
                code, region_code_for_country_code(code)
            )
            if main is not None:
                prefix = getattr(main, "national_prefix_for_parsing", None)
                loaded = []
                for region in regions:
                    metadata = (
                        PhoneMetadata.metadata_for_region_or_calling_code(code, region)
                        if len(regions) == 1
                        else PhoneMetadata.metadata_for_region(region, None)
                    )
                    loaded.append(_region(metadata) if metadata is not None else None)
                country = _Country(re.compile(prefix) if prefix else None, tuple(loaded))
        self._countries[code] = country
        return country

    def split(self, text: str) -> tuple[int, str] | None:
        """``'+41798284651'`` → ``(41, '798284651')``, as ``parse`` reads the code."""
        digits = text[1:]
        if not digits or digits[0] == "0":
            return None
        for size in (1, 2, 3):
            code = int(digits[:size])
            if code in COUNTRY_CODE_TO_REGION_CODE:
                return code, digits[size:]
        return None

    def valid(self, text: str) -> bool | None:
        parts = self.split(text)
        if parts is None:
            return None
        code, nsn = parts
        if len(nsn) < 2 or len(nsn) > _MAX_NSN or nsn[0] == "0":
            return None  # too short/long, or leading zeros: phonenumbers' own path
        country = self._country(code)
        if country is None:
            return None
        if country.national_prefix is not None and country.national_prefix.match(nsn):
            return None  # parse might strip a national prefix here
        regions = country.regions
        if len(regions) == 1:
            region = regions[0]
        else:
            region = None
            for candidate in regions:
                if candidate is None:
                    continue
                if candidate.leading_digits is not None:
                    if candidate.leading_digits.match(nsn):
                        region = candidate
                        break
                elif candidate.has_type(nsn):
                    return True  # found by the same test that makes it valid
        # phonenumbers finds the same region (or none) and the same lack of a number type.
        return region is not None and region.has_type(nsn)
