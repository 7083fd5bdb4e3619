"""The site's form base: required choices start empty, a single choice is pre-filled, and no
select shows Django's "---------" (issue 14 item 10)."""

from __future__ import annotations

import pytest
from django import forms

from shegong.conftest import Tree
from shegong.core.forms import Form
from shegong.orgs.models import Unit
from shegong.people.forms import WorkerCreateForm

pytestmark = pytest.mark.django_db


class _Choices(Form):
    required = forms.ChoiceField(choices=[("a", "甲"), ("b", "乙")])
    chosen = forms.ChoiceField(choices=[("a", "甲"), ("b", "乙")], initial="b")
    optional = forms.ChoiceField(choices=[("", "全部"), ("a", "甲")], required=False)
    only = forms.ChoiceField(choices=[("a", "甲")])
    unit = forms.ModelChoiceField(queryset=Unit.objects.all(), required=False)


def test_a_required_choice_starts_empty_and_must_be_made() -> None:
    form = _Choices()
    html = str(form["required"])
    assert '<option value="" selected>请选择</option>' in html
    bound = _Choices(data={"chosen": "a", "only": "a"})
    assert not bound.is_valid()
    assert "required" in bound.errors


def test_it_keeps_a_given_initial_and_an_optional_fields_own_empty_label() -> None:
    form = _Choices()
    assert "请选择" not in str(form["chosen"])
    assert 'value="b" selected' in str(form["chosen"])
    assert ">全部<" in str(form["optional"])


def test_a_single_choice_is_pre_filled() -> None:
    html = str(_Choices()["only"])
    assert 'value="a" selected' in html and "请选择" not in html


def test_no_select_shows_djangos_empty_label(tree: Tree) -> None:
    html = _Choices().as_div()
    assert "---------" not in html
    assert "请选择" in str(_Choices()["unit"])


def test_a_clerk_with_one_community_gets_it_pre_filled(tree: Tree) -> None:
    form = WorkerCreateForm(communities=Unit.objects.filter(pk=tree.community_a1.pk))
    html = str(form["community"])
    assert f'value="{tree.community_a1.pk}" selected' in html
    assert "请选择" not in html and "---------" not in html


def test_the_worker_form_preselects_no_political_education_or_source(tree: Tree) -> None:
    form = WorkerCreateForm(communities=Unit.objects.filter(parent=tree.street_a))
    for name in ("political", "education", "source", "community"):
        assert '<option value="" selected>请选择</option>' in str(form[name]), name
    assert "---------" not in form.as_div()
