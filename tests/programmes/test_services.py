"""Les règles des programmes d'actions : période, adoption, plan clos, porteur avant
validation, montants, dépassement confirmé, lieux et périodes sensibles, décisions liées,
propositions à la formation restreinte et totaux calculés."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clspd.models import Programme
from groupes import services as groupe_services
from programmes import selectors, services
from programmes.models import (
    Action,
    Financement,
    LieuSensible,
    Mesure,
    PeriodeSensible,
    PlanAction,
    Proposition,
)
from tests.factories import (
    GroupeFactory,
    InstitutionFactory,
    PointFactory,
    ReunionFactory,
    TerritoireFactory,
    programme,
)

ANNEE = timezone.localdate().year


def jour(decalage):
    return timezone.localdate() + datetime.timedelta(days=decalage)


@pytest.fixture
def plan(groupe):
    return services.plan_creer(
        groupe=groupe,
        titre=f"Plan d'action {ANNEE}",
        date_debut=datetime.date(ANNEE, 1, 1),
        date_fin=datetime.date(ANNEE, 12, 31),
    )


@pytest.fixture
def plan_tranquillite(conseil):
    groupe = GroupeFactory(conseil=conseil, programme=programme(Programme.Axe.TRANQUILLITE))
    return services.plan_creer(
        groupe=groupe,
        titre="Schéma local de tranquillité publique",
        date_debut=datetime.date(ANNEE, 1, 1),
        date_fin=datetime.date(ANNEE, 12, 31),
    )


@pytest.fixture
def action(plan, institution):
    return services.action_creer(
        plan=plan,
        titre="Chantiers éducatifs",
        programme=programme(),
        porteur=institution,
        date_debut=datetime.date(ANNEE, 3, 1),
        date_fin=datetime.date(ANNEE, 6, 30),
    )


def clore(plan):
    return services.plan_modifier(
        plan, statut=PlanAction.Statut.CLOS, adopte_le=datetime.date(ANNEE, 2, 1)
    )


def erreurs(appel):
    with pytest.raises(ValidationError) as erreur:
        appel()
    return erreur.value.message_dict


# Plans --------------------------------------------------------------------------------------


def test_periode_d_un_plan_ordonnee(groupe):
    assert erreurs(
        lambda: services.plan_creer(
            groupe=groupe,
            titre="Plan",
            date_debut=datetime.date(ANNEE, 12, 31),
            date_fin=datetime.date(ANNEE, 1, 1),
        )
    ) == {"date_fin": ["La fin de la période précède son début."]}
    assert not PlanAction.objects.exists()


def test_un_plan_adopte_a_sa_date_d_adoption(plan):
    assert "adopte_le" in erreurs(
        lambda: services.plan_modifier(plan, statut=PlanAction.Statut.ADOPTE)
    )

    services.plan_modifier(
        plan, statut=PlanAction.Statut.ADOPTE, adopte_le=datetime.date(ANNEE, 2, 1)
    )

    assert PlanAction.objects.get().statut == PlanAction.Statut.ADOPTE


def test_la_base_refuse_un_plan_adopte_sans_date(plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanAction.objects.filter(pk=plan.pk).update(statut="adopte")


def test_etat_des_lieux_et_schema_selon_le_programme(conseil):
    def plan_du(axe):
        groupe = GroupeFactory(conseil=conseil, programme=programme(axe))
        return PlanAction(groupe=groupe)

    assert plan_du(Programme.Axe.VICTIMES).a_un_etat_des_lieux
    assert not plan_du(Programme.Axe.VICTIMES).a_un_schema_de_tranquillite
    assert plan_du(Programme.Axe.TRANQUILLITE).a_un_schema_de_tranquillite
    assert not plan_du(Programme.Axe.JEUNES).a_un_etat_des_lieux


def test_un_plan_clos_refuse_toute_modification(plan_tranquillite, institution, zsp):
    plan = plan_tranquillite
    action = services.action_creer(
        plan=plan,
        titre="Chantiers éducatifs",
        programme=programme(),
        porteur=institution,
        date_debut=datetime.date(ANNEE, 3, 1),
    )
    financement = services.financement_ajouter(
        action=action, source="fipd", montant_demande=Decimal("1000")
    )
    lieu = services.lieu_sensible_creer(plan=plan, territoire=zsp, nom="Parvis de la gare")
    clore(plan)

    tentatives = [
        lambda: services.plan_modifier(plan, titre="Autre titre"),
        lambda: services.plan_modifier(plan, statut=PlanAction.Statut.ADOPTE),
        lambda: services.action_creer(
            plan=plan, titre="X", programme=programme(), date_debut=jour(0)
        ),
        lambda: services.action_modifier(action, titre="Autre"),
        lambda: services.financement_ajouter(
            action=action, source="caf", montant_demande=Decimal("1")
        ),
        lambda: services.financement_modifier(financement, montant_demande=Decimal("2")),
        lambda: services.financement_supprimer(financement),
        lambda: services.lieu_sensible_creer(plan=plan, territoire=zsp, nom="Autre"),
        lambda: services.lieu_sensible_supprimer(lieu),
        lambda: services.mesure_ajouter(lieu=lieu, categorie="eclairage"),
        lambda: services.action_proposer(action, auteur=None),
    ]
    for tentative in tentatives:
        with pytest.raises(services.PlanClos):
            tentative()

    assert PlanAction.objects.get().titre == plan.titre
    assert Action.objects.get().titre == "Chantiers éducatifs"
    assert Financement.objects.get().montant_demande == Decimal("1000")
    assert LieuSensible.objects.count() == 1
    assert not Mesure.objects.exists()


# Actions ------------------------------------------------------------------------------------


def test_fin_d_action_avant_son_debut_refusee(plan):
    assert "date_fin" in erreurs(
        lambda: services.action_creer(
            plan=plan,
            titre="X",
            programme=programme(),
            date_debut=jour(10),
            date_fin=jour(5),
        )
    )
    assert not Action.objects.exists()


def test_porteur_exige_avant_validation(plan, institution):
    action = services.action_creer(
        plan=plan, titre="Sans porteur", programme=programme(), date_debut=jour(0)
    )

    assert erreurs(lambda: services.action_modifier(action, statut=Action.Statut.VALIDEE)) == {
        "porteur": ["Désignez l'institution porteuse avant de valider l'action."]
    }
    services.action_modifier(action, statut=Action.Statut.VALIDEE, porteur=institution)
    assert Action.objects.get().statut == Action.Statut.VALIDEE


def test_la_base_refuse_une_action_validee_sans_porteur(action):
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(statut="en_cours", porteur=None)


def test_porteur_partenaire_et_territoire_du_conseil(plan):
    ailleurs = InstitutionFactory()
    territoire_ailleurs = TerritoireFactory()

    assert set(
        erreurs(
            lambda: services.action_creer(
                plan=plan,
                titre="X",
                programme=programme(),
                date_debut=jour(0),
                porteur=ailleurs,
                territoire=territoire_ailleurs,
            )
        )
    ) == {"porteur", "territoire"}
    assert erreurs(
        lambda: services.action_creer(
            plan=plan,
            titre="X",
            programme=programme(),
            date_debut=jour(0),
            partenaires=[ailleurs],
        )
    ) == {"partenaires": ["Un partenaire n'est pas dans l'annuaire du conseil."]}
    assert not Action.objects.exists()


def test_partenaires_enregistres(plan, institution, conseil):
    bailleur = InstitutionFactory(conseil=conseil, nom="Bailleur")

    action = services.action_creer(
        plan=plan,
        titre="Médiation",
        programme=programme(),
        date_debut=jour(0),
        partenaires=[institution, bailleur],
    )
    services.action_modifier(action, partenaires=[bailleur])

    assert list(action.partenaires.all()) == [bailleur]


# Financements -------------------------------------------------------------------------------


def test_montants_jamais_negatifs(action):
    assert "montant_demande" in erreurs(
        lambda: services.financement_ajouter(
            action=action, source="fipd", montant_demande=Decimal("-1")
        )
    )
    assert "montant_accorde" in erreurs(
        lambda: services.financement_ajouter(
            action=action,
            source="fipd",
            montant_demande=Decimal("10"),
            montant_accorde=Decimal("-5"),
        )
    )
    assert not Financement.objects.exists()


def test_accorde_superieur_au_demande_seulement_confirme(action):
    assert erreurs(
        lambda: services.financement_ajouter(
            action=action,
            source="commune",
            montant_demande=Decimal("1000"),
            montant_accorde=Decimal("1200"),
        )
    ) == {
        "depassement_confirme": [
            "Le montant accordé dépasse le montant demandé : cochez la case pour le confirmer."
        ]
    }

    services.financement_ajouter(
        action=action,
        source="commune",
        montant_demande=Decimal("1000"),
        montant_accorde=Decimal("1200"),
        depassement_confirme=True,
    )

    assert Financement.objects.get().montant_accorde == Decimal("1200")


def test_la_base_refuse_un_depassement_non_confirme(action):
    financement = services.financement_ajouter(
        action=action, source="caf", montant_demande=Decimal("100")
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Financement.objects.filter(pk=financement.pk).update(montant_accorde=Decimal("150"))


def test_totaux_calcules_par_action_plan_et_source(plan, action, institution):
    autre = services.action_creer(
        plan=plan, titre="Autre", programme=programme(), porteur=institution, date_debut=jour(0)
    )
    for cible, source, demande, accorde in [
        (action, "fipd", "1000.50", "800"),
        (action, "commune", "500", None),
        (autre, "fipd", "200", "200"),
    ]:
        services.financement_ajouter(
            action=cible,
            source=source,
            montant_demande=Decimal(demande),
            montant_accorde=Decimal(accorde) if accorde else None,
        )

    sans_financement = services.action_creer(
        plan=plan, titre="Sans", programme=programme(), porteur=institution, date_debut=jour(0)
    )

    totaux = selectors.totaux_du_plan(plan)
    actions = {a.titre: a for a in selectors.ajouter_totaux(selectors.actions_du_plan(plan))}

    assert totaux["demande"] == Decimal("1700.50")
    assert totaux["accorde"] == Decimal("1000")
    assert [(s["libelle"], s["demande"], s["accorde"]) for s in totaux["par_source"]] == [
        ("Commune", Decimal("500"), Decimal("0")),
        ("FIPD", Decimal("1200.50"), Decimal("1000")),
    ]
    assert actions["Chantiers éducatifs"].total_demande == Decimal("1500.50")
    assert actions["Chantiers éducatifs"].total_accorde == Decimal("800")
    assert actions["Autre"].total_demande == Decimal("200")
    assert (actions["Sans"].total_demande, actions["Sans"].total_accorde) == (0, 0)
    # Les listes (requête groupée) et les exports (annotations) donnent les mêmes totaux.
    annotees = selectors.avec_totaux(plan.actions.all())
    assert {(a.pk, a.total_demande, a.total_accorde) for a in annotees} == {
        (a.pk, a.total_demande, a.total_accorde) for a in actions.values()
    }
    assert sans_financement.pk in {a.pk for a in annotees}


def test_totaux_d_une_liste_vide(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.ajouter_totaux([]) == []


# Schéma local de tranquillité publique ------------------------------------------------------


def test_lieu_sensible_sur_un_territoire_du_conseil(plan_tranquillite):
    assert erreurs(
        lambda: services.lieu_sensible_creer(
            plan=plan_tranquillite, territoire=TerritoireFactory(), nom="X"
        )
    ) == {"territoire": ["Ce territoire n'appartient pas au conseil."]}


def test_pas_de_lieu_sensible_hors_du_programme_de_tranquillite(plan, zsp):
    with pytest.raises(ValidationError) as erreur:
        services.lieu_sensible_creer(plan=plan, territoire=zsp, nom="Parvis")

    assert "tranquillité publique" in erreur.value.messages[0]
    assert not LieuSensible.objects.exists()


def test_periode_sensible_la_nuit_et_ses_libelles(plan_tranquillite, zsp):
    lieu = services.lieu_sensible_creer(
        plan=plan_tranquillite, territoire=zsp, nom="Parvis de la gare"
    )

    periode = services.periode_ajouter(
        lieu=lieu,
        jours=["sam", "ven"],
        heure_debut=datetime.time(22),
        heure_fin=datetime.time(2),
        saisons=["ete"],
    )

    assert periode.jours_affiches == "Vendredi, Samedi"
    assert periode.saisons_affichees == "Été"
    toujours = services.periode_ajouter(
        lieu=lieu, heure_debut=datetime.time(8), heure_fin=datetime.time(9)
    )
    assert toujours.jours_affiches == "tous les jours"
    assert toujours.saisons_affichees == "toute l'année"


def test_periode_sensible_mal_formee_refusee(plan_tranquillite, zsp):
    lieu = services.lieu_sensible_creer(plan=plan_tranquillite, territoire=zsp, nom="Parvis")

    assert set(
        erreurs(
            lambda: services.periode_ajouter(
                lieu=lieu,
                jours=["lundi-soir"],
                saisons=["mousson"],
                heure_debut=datetime.time(8),
                heure_fin=datetime.time(8),
            )
        )
    ) == {"jours", "saisons", "heure_fin"}
    assert not PeriodeSensible.objects.exists()


def test_mesure_technique_ou_humaine(plan_tranquillite, zsp):
    lieu = services.lieu_sensible_creer(plan=plan_tranquillite, territoire=zsp, nom="Parvis")

    camera = services.mesure_ajouter(lieu=lieu, categorie="videoprotection")
    mediateurs = services.mesure_ajouter(lieu=lieu, categorie="mediation")

    assert camera.nature == "Moyen technique"
    assert mediateurs.nature == "Présence humaine"
    assert "categorie" in erreurs(lambda: services.mesure_ajouter(lieu=lieu, categorie="drones"))


# Décisions de réunion liées ---------------------------------------------------------------


def decision_actee(groupe, auteur, porteur):
    reunion = ReunionFactory(groupe=groupe, cree_par=auteur, date=jour(-3))
    PointFactory(reunion=reunion)
    groupe_services.compte_rendu_enregistrer(reunion, auteur=auteur, synthese="", notes={})
    decision = groupe_services.decision_ajouter(
        reunion, auteur=auteur, libelle="Lancer les chantiers", porteur=porteur
    )
    groupe_services.compte_rendu_valider(reunion, auteur=auteur)
    return decision


def test_lier_une_decision_du_groupe(action, groupe, pilote, membre):
    decision = decision_actee(groupe, pilote, membre)

    assert list(selectors.decisions_a_lier(action)) == [decision]
    services.action_lier_decision(action, decision)

    assert list(selectors.decisions_de_l_action(action)) == [decision]
    assert list(selectors.decisions_a_lier(action)) == []
    services.action_delier_decision(action, decision)
    assert not action.decisions.exists()


def test_une_decision_d_un_autre_groupe_ne_se_lie_pas(
    action, autre_groupe, coordonnateur, etranger
):
    decision = decision_actee(autre_groupe, coordonnateur, etranger)

    assert decision not in selectors.decisions_a_lier(action)
    assert "decision" in erreurs(lambda: services.action_lier_decision(action, decision))
    assert not action.decisions.exists()


# Propositions à la formation restreinte -----------------------------------------------------


@pytest.fixture
def proposition(plan, institution, pilote):
    action = services.action_creer(
        plan=plan,
        titre="Nouvelle action",
        programme=programme(),
        porteur=institution,
        date_debut=jour(30),
    )
    return services.action_proposer(action, auteur=pilote, expose="Pour les 16-18 ans")


def test_proposer_une_action(proposition, pilote):
    assert proposition.est_en_attente
    assert proposition.proposee_par == pilote
    assert "attend déjà" in erreurs_sans_champ(
        lambda: services.action_proposer(proposition.action, auteur=pilote)
    )


def erreurs_sans_champ(appel):
    with pytest.raises(ValidationError) as erreur:
        appel()
    return " ".join(erreur.value.messages)


def test_seule_une_action_proposee_se_soumet(action, pilote):
    services.action_modifier(action, statut=Action.Statut.EN_COURS)

    assert "proposée" in erreurs_sans_champ(lambda: services.action_proposer(action, auteur=pilote))
    assert not Proposition.objects.exists()


def test_retenue_valide_l_action_avec_son_financement(proposition, formation_restreinte):
    services.proposition_statuer(
        proposition,
        auteur=formation_restreinte,
        decision="retenue",
        financement_accorde=Decimal("5000"),
    )

    proposition.refresh_from_db()
    assert proposition.decision == Proposition.Decision.RETENUE
    assert proposition.financement_accorde == Decimal("5000")
    assert proposition.decidee_par == formation_restreinte
    assert proposition.action.statut == Action.Statut.VALIDEE


def test_retenue_sans_porteur_refusee(plan, pilote, formation_restreinte):
    action = services.action_creer(
        plan=plan, titre="Sans porteur", programme=programme(), date_debut=jour(0)
    )
    proposition = services.action_proposer(action, auteur=pilote)

    with pytest.raises(ValidationError) as erreur:
        services.proposition_statuer(proposition, auteur=formation_restreinte, decision="retenue")

    assert "institution porteuse" in " ".join(erreur.value.messages)
    assert Proposition.objects.get().est_en_attente
    assert Action.objects.get().statut == Action.Statut.PROPOSEE


def test_refusee_abandonne_l_action_et_exige_un_commentaire(proposition, formation_restreinte):
    assert "commentaire" in erreurs(
        lambda: services.proposition_statuer(
            proposition, auteur=formation_restreinte, decision="refusee"
        )
    )

    services.proposition_statuer(
        proposition, auteur=formation_restreinte, decision="refusee", commentaire="Hors champ"
    )

    assert Action.objects.get().statut == Action.Statut.ABANDONNEE


def test_a_revoir_laisse_proposer_a_nouveau(proposition, formation_restreinte, pilote):
    services.proposition_statuer(
        proposition, auteur=formation_restreinte, decision="a_revoir", commentaire="Préciser"
    )

    nouvelle = services.action_proposer(proposition.action, auteur=pilote)

    assert nouvelle.est_en_attente
    assert Action.objects.get().statut == Action.Statut.PROPOSEE
    assert Proposition.objects.count() == 2


def test_on_ne_statue_qu_une_fois(proposition, formation_restreinte, coordonnateur):
    services.proposition_statuer(proposition, auteur=formation_restreinte, decision="retenue")

    assert "déjà statué" in erreurs_sans_champ(
        lambda: services.proposition_statuer(
            proposition, auteur=coordonnateur, decision="refusee", commentaire="Non"
        )
    )
    assert Proposition.objects.get().decision == Proposition.Decision.RETENUE


def test_financement_seulement_pour_une_proposition_retenue(proposition, formation_restreinte):
    assert "financement_accorde" in erreurs(
        lambda: services.proposition_statuer(
            proposition,
            auteur=formation_restreinte,
            decision="a_revoir",
            commentaire="Préciser",
            financement_accorde=Decimal("100"),
        )
    )


def test_decision_inconnue_refusee(proposition, formation_restreinte):
    assert "decision" in erreurs(
        lambda: services.proposition_statuer(
            proposition, auteur=formation_restreinte, decision="en_attente"
        )
    )


# Synthèse du conseil ------------------------------------------------------------------------


def test_actions_en_retard(plan, action, institution):
    services.action_modifier(
        action, date_debut=jour(-60), date_fin=jour(-1), statut=Action.Statut.EN_COURS
    )
    for titre, statut, fin in [
        ("Terminée", Action.Statut.TERMINEE, jour(-1)),
        ("Abandonnée", Action.Statut.ABANDONNEE, jour(-1)),
        ("Finit aujourd'hui", Action.Statut.EN_COURS, jour(0)),
        ("Sans fin", Action.Statut.EN_COURS, None),
    ]:
        services.action_creer(
            plan=plan,
            titre=titre,
            programme=programme(),
            porteur=institution,
            date_debut=jour(-60),
            date_fin=fin,
            statut=statut,
        )
    conseil = plan.groupe.conseil

    en_retard = selectors.actions_du_conseil(conseil, en_retard=True)

    assert list(en_retard) == [action]
    tout = selectors.actions_du_conseil(conseil)
    assert tout.count() == 5
    assert selectors.synthese_du_conseil(tout)["en_retard"] == 1
