"""Votes become ballots with random keys, filed from a pool in shuffled batches (see
appraisal/services/votes.py). Existing votes are copied into the ballot box in random order, so
their old sequential ids and insertion order are not carried over."""

import django.db.models.deletion
import uuid
from django.db import migrations, models


def copy_votes_shuffled(apps, schema_editor):
    import secrets

    Vote = apps.get_model("appraisal", "Vote")
    VoteRating = apps.get_model("appraisal", "VoteRating")
    Ballot = apps.get_model("appraisal", "Ballot")
    BallotRating = apps.get_model("appraisal", "BallotRating")
    ratings = {}
    for vote_id, survey_id, worker_id, rating in VoteRating.objects.values_list(
        "vote_id", "survey_id", "worker_id", "rating"
    ):
        ratings.setdefault(vote_id, []).append((survey_id, worker_id, rating))
    votes = list(Vote.objects.values_list("id", "survey_id", "category"))
    secrets.SystemRandom().shuffle(votes)
    for start in range(0, len(votes), 1000):
        chunk = votes[start : start + 1000]
        ballots = [Ballot(survey_id=s, category=c) for _id, s, c in chunk]
        Ballot.objects.bulk_create(ballots)
        BallotRating.objects.bulk_create(
            BallotRating(ballot=b, survey_id=s, worker_id=w, rating=r)
            for b, (vote_id, _s, _c) in zip(ballots, chunk)
            for s, w, r in ratings.get(vote_id, [])
        )


def vacuum_the_pool_eagerly(apps, schema_editor):
    """Dead pool rows (filed ballots) should not linger on PostgreSQL until a late vacuum."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE appraisal_pooledballot SET (autovacuum_vacuum_threshold = 0, "
            "autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_cost_delay = 0)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("appraisal", "0002_vote_throttle_counts_distinct_codes"),
        ("people", "0004_prefix_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="Ballot",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("resident", "普通居民"),
                            ("representative", "居民代表"),
                            ("organisation", "驻区单位"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "survey",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ballots",
                        to="appraisal.survey",
                    ),
                ),
            ],
            options={
                "verbose_name": "评议票",
            },
        ),
        migrations.CreateModel(
            name="BallotRating",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "rating",
                    models.CharField(
                        choices=[
                            ("satisfied", "满意"),
                            ("fairly", "基本满意"),
                            ("unsatisfied", "不满意"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "ballot",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="ratings",
                        to="appraisal.ballot",
                    ),
                ),
                (
                    "survey",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="appraisal.survey",
                    ),
                ),
                (
                    "worker",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="people.worker",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="PooledBallot",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("resident", "普通居民"),
                            ("representative", "居民代表"),
                            ("organisation", "驻区单位"),
                        ],
                        max_length=16,
                    ),
                ),
                ("ratings", models.JSONField()),
                (
                    "survey",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="appraisal.survey",
                    ),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name="ballot",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("category__in", ["resident", "representative", "organisation"])
                ),
                name="ballot_category_known",
            ),
        ),
        migrations.AddIndex(
            model_name="ballotrating",
            index=models.Index(fields=["survey", "worker"], name="appraisal_b_survey__328ac5_idx"),
        ),
        migrations.AddConstraint(
            model_name="ballotrating",
            constraint=models.UniqueConstraint(
                fields=("ballot", "worker"), name="rating_once_per_ballot"
            ),
        ),
        migrations.AddConstraint(
            model_name="ballotrating",
            constraint=models.CheckConstraint(
                condition=models.Q(("rating__in", ["satisfied", "fairly", "unsatisfied"])),
                name="ballot_rating_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="pooledballot",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("category__in", ["resident", "representative", "organisation"])
                ),
                name="pooled_category_known",
            ),
        ),
        migrations.RunPython(copy_votes_shuffled, migrations.RunPython.noop),
        migrations.RunPython(vacuum_the_pool_eagerly, migrations.RunPython.noop),
        migrations.DeleteModel(
            name="VoteRating",
        ),
        migrations.DeleteModel(
            name="Vote",
        ),
    ]
