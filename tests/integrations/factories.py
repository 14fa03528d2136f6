import factory
from django.contrib.auth.models import Permission, User

from integrations.models import ExactLink


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("secret-password")


class LinkManagerFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def permission(self, create, extracted, **kwargs):
        self.user_permissions.add(Permission.objects.get(codename="change_exactlink"))


class ExactLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExactLink

    division = "7095"
