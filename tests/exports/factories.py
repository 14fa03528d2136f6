"""Factories for the exports tests: the Exact link as the panels would save it."""

import factory

from integrations.models import Activation, ExactLink


class ExactLinkFactory(factory.django.DjangoModelFactory):
    """An enabled link on the sandbox's Netherlands division 7095, without tokens."""

    class Meta:
        model = ExactLink
        django_get_or_create = ("installation",)

    installation = 1
    division = "7095"
    activation = Activation.ENABLED
