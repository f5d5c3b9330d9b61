"""Fabriques factory_boy : des objets valides par défaut, que chaque test précise."""

import datetime

import factory
from django.utils import timezone

from clspd.models import (
    Commune,
    Conseil,
    Institution,
    MembreFormationRestreinte,
    Programme,
    Territoire,
    Utilisateur,
)
from groupes.models import Appartenance, GroupeOperationnel, PointOrdreDuJour, Reunion

MOT_DE_PASSE = "mot-de-passe-de-test-2026"


class UtilisateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Utilisateur
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password(MOT_DE_PASSE)


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune

    code_insee = factory.Sequence(lambda n: f"{10000 + n:05d}")
    nom = factory.Sequence(lambda n: f"Commune {n}")


class ConseilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conseil
        skip_postgeneration_save = True

    nom = factory.Sequence(lambda n: f"CLSPD numéro {n}")
    type = Conseil.Type.CLSPD

    @factory.post_generation
    def communes(self, create, extracted, **kwargs):
        if create:
            self.communes.set(extracted or [CommuneFactory()])


class TerritoireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territoire

    conseil = factory.SubFactory(ConseilFactory)
    nom = factory.Sequence(lambda n: f"Quartier {n}")
    type = Territoire.Type.QUARTIER


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    conseil = factory.SubFactory(ConseilFactory)
    nom = factory.Sequence(lambda n: f"Institution {n}")
    categorie = Institution.Categorie.AUTRE


def programme(axe=Programme.Axe.JEUNES):
    """Un programme de la stratégie 2013-2017, créé par la migration de données."""
    return Programme.objects.get(strategie__annee_debut=2013, axe=axe)


class GroupeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupeOperationnel

    conseil = factory.SubFactory(ConseilFactory)
    nom = factory.Sequence(lambda n: f"Groupe {n}")
    nature = GroupeOperationnel.Nature.THEMATIQUE
    programme = factory.LazyFunction(programme)


class AppartenanceFactory(factory.django.DjangoModelFactory):
    """À réserver aux données de masse : les tests de règles passent par les services."""

    class Meta:
        model = Appartenance

    groupe = factory.SubFactory(GroupeFactory)
    utilisateur = factory.SubFactory(UtilisateurFactory)
    institution = factory.SubFactory(
        InstitutionFactory, conseil=factory.SelfAttribute("..groupe.conseil")
    )
    date_debut = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))


class MembreFormationRestreinteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembreFormationRestreinte

    conseil = factory.SubFactory(ConseilFactory)
    utilisateur = factory.SubFactory(UtilisateurFactory)
    date_debut = factory.LazyFunction(timezone.localdate)


class ReunionFactory(factory.django.DjangoModelFactory):
    """Une réunion dans une semaine ; pour une réunion passée, préciser ``date``
    (le service de planification refuse le passé)."""

    class Meta:
        model = Reunion

    groupe = factory.SubFactory(GroupeFactory)
    objet = "Réunion mensuelle"
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
    heure_debut = datetime.time(14, 0)
    heure_fin = datetime.time(16, 0)
    lieu = "Mairie, salle du conseil"
    cree_par = factory.SubFactory(UtilisateurFactory)


class PointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PointOrdreDuJour

    reunion = factory.SubFactory(ReunionFactory)
    ordre = factory.Sequence(lambda n: n + 1)
    titre = factory.Sequence(lambda n: f"Point {n + 1}")
