"""Tables the search app owns on every backend; the full-text tables are made per engine."""

from django.db import models

from signpost.catalogue.models import Resource


class SearchFacet(models.Model):
    """One facet value of one published resource: what facet counts and filters are made of."""

    # No database constraint or index of its own: the index writes a dozen rows per resource,
    # and checking each against the catalogue at commit doubled an import's time on
    # PostgreSQL. The search services delete a resource's rows whenever it changes, and the
    # ORM still cascades a deleted resource; the composite indexes below serve every read.
    resource = models.ForeignKey(
        Resource,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    facet = models.CharField(max_length=20)
    value = models.CharField(max_length=200)

    class Meta:
        indexes = [
            models.Index(fields=["facet", "value", "resource"], name="search_facet_value"),
            # Covers the facet counts: they read only this index.
            models.Index(fields=["resource", "facet", "value"], name="search_facet_resource"),
        ]

    def __str__(self) -> str:
        return f"{self.facet}={self.value}"


class SearchWord(models.Model):
    """A word as it is written in the catalogue, for "Did you mean" suggestions."""

    word = models.CharField(max_length=100, unique=True)
    length = models.PositiveSmallIntegerField(db_index=True)
    frequency = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return self.word


class SearchState(models.Model):
    """One row: the index's version, changed by every write so readers know to reload."""

    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"search index version {self.version}"


class SearchVector(models.Model):
    """A published resource's meaning: a unit vector, 64 one-byte numbers (semantic.py)."""

    resource = models.OneToOneField(
        Resource,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        primary_key=True,
    )
    vector = models.BinaryField()

    def __str__(self) -> str:
        return f"meaning of resource {self.resource_id}"
