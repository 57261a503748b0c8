import factory

from signpost.catalogue.models import (
    Audience,
    Organisation,
    Resource,
    ResourceOrganisation,
    Status,
    Topic,
    Version,
)
from signpost.search.index import resources_reindex


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class AudienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audience
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Audience {n}")
    slug = factory.Sequence(lambda n: f"audience-{n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource
        skip_postgeneration_save = True

    uid = factory.Sequence(lambda n: f"resource-{n}")
    slug = factory.Sequence(lambda n: f"resource-{n}")
    title = factory.Sequence(lambda n: f"Resource number {n}")
    summary = "A resource made for a test.\n\nIt has two paragraphs."
    resource_type = "report"
    status = Status.PUBLISHED
    agreement_by = "Owner"
    agreement_how = "Email"

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)

    @factory.post_generation
    def audiences(self, create, extracted, **kwargs):
        if create and extracted:
            self.audiences.set(extracted)

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        for position, organisation in enumerate(extracted or []):
            ResourceOrganisation.objects.create(
                resource=self, organisation=organisation, role="publisher", position=position
            )

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        for position, code in enumerate(extracted or ["en"]):
            Version.objects.create(resource=self, language_id=code, format="pdf", position=position)

    @factory.post_generation
    def index(self, create, extracted, **kwargs):
        # What a catalogue service announces on commit, done at once: tests never commit.
        resources_reindex(ids=[self.pk])
