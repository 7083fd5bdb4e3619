"""The shared personas every test builds on.

A small tree: 测试市 > 测试区 > 街道A (社区A1, 社区A2) and 街道B (社区B1), and four people:
a district admin, a manager of street A, a clerk of community A1, a manager of street B.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from shegong.core.models import Membership, Role, User
from shegong.orgs.models import CommunityProfile, Unit, UnitKind

PASSWORD = "Persona-Pass-2026"


@dataclass
class Tree:
    city: Unit
    district: Unit
    street_a: Unit
    street_b: Unit
    community_a1: Unit
    community_a2: Unit
    community_b1: Unit


@dataclass
class Personas:
    district_admin: User
    street_a_manager: User
    community_a1_clerk: User
    street_b_manager: User


@pytest.fixture(autouse=True)
def _plain_http(settings: Any) -> None:
    """Tests talk plain http to the test client; production redirects to https."""
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _fast_password_hasher(request: pytest.FixtureRequest, settings: Any) -> None:
    """Argon2 costs a tenth of a second a login: tests hash with MD5 unless they are marked
    `real_hasher` (the one that checks what production stores)."""
    if request.node.get_closest_marker("real_hasher") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _unit(code: str, name: str, kind: int, parent: Unit | None) -> Unit:
    unit = Unit.objects.create(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        path=f"{parent.path if parent else ''}{code}/",
    )
    if kind == UnitKind.COMMUNITY:
        CommunityProfile.objects.create(unit=unit, households=1200, residents=3100)
    return unit


@pytest.fixture
def tree(db: None) -> Tree:
    city = _unit("110100000000", "测试市", UnitKind.CITY, None)
    district = _unit("110101000000", "测试区", UnitKind.DISTRICT, city)
    street_a = _unit("110101001000", "街道甲", UnitKind.STREET, district)
    street_b = _unit("110101002000", "街道乙", UnitKind.STREET, district)
    return Tree(
        city=city,
        district=district,
        street_a=street_a,
        street_b=street_b,
        community_a1=_unit("110101001001", "甲一社区", UnitKind.COMMUNITY, street_a),
        community_a2=_unit("110101001002", "甲二社区", UnitKind.COMMUNITY, street_a),
        community_b1=_unit("110101002001", "乙一社区", UnitKind.COMMUNITY, street_b),
    )


def _person(username: str, unit: Unit, role: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, first_name=username)
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def personas(tree: Tree) -> Personas:
    return Personas(
        district_admin=_person("district_admin", tree.district, Role.ADMIN),
        street_a_manager=_person("street_a_manager", tree.street_a, Role.MANAGER),
        community_a1_clerk=_person("community_a1_clerk", tree.community_a1, Role.CLERK),
        street_b_manager=_person("street_b_manager", tree.street_b, Role.MANAGER),
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def seeded_vocabulary(transactional_db: None) -> None:
    """What the data migrations seed (post types, training requirements and awards), put back:
    a transactional test's flush before this one wipes it. (serialized_rollback would restore
    it too, but clashes with the content types the next test's set-up writes.)"""
    from importlib import import_module

    from django.apps import apps

    import_module("shegong.people.migrations.0002_seed_post_types").seed(apps, None)
    import_module("shegong.training.migrations.0002_seed_requirements_and_awards").seed(apps, None)
    import_module("shegong.resources.migrations.0008_configurable_standards").seed_five_haves(
        apps, None
    )
