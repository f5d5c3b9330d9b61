"""Lectures des groupes, toujours déjà filtrées pour l'utilisateur."""

import copy
import datetime

from axes.models import AccessLog
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clspd import permissions, rendus
from clspd.models import MembreFormationRestreinte, Programme
from clspd.permissions import Action
from groupes.models import (
    AcceptationCharte,
    Appartenance,
    CompteRendu,
    Convocation,
    Decision,
    DesignationPilote,
    GroupeOperationnel,
    JetonCalendrier,
    JournalAcces,
    PointOrdreDuJour,
    Presence,
    Reunion,
    Situation,
)
from groupes.models.reunions import STATUTS_OUVERTS

_PILOTES = Prefetch(
    "appartenances",
    queryset=Appartenance.objects.actives()
    .filter(role=Appartenance.Role.PILOTE)
    .select_related("utilisateur", "institution"),
    to_attr="pilotes_actifs",
)


def _avec_synthese(queryset):
    return (
        queryset.select_related("conseil", "programme", "territoire")
        .annotate(nb_membres=Count("appartenances", filter=Q(appartenances__date_fin__isnull=True)))
        .prefetch_related(_PILOTES)
    )


def mes_appartenances(user):
    """Les groupes dont l'utilisateur est actuellement membre (« Mes groupes »)."""
    return (
        Appartenance.objects.actives()
        .filter(utilisateur=user)
        .select_related("groupe__conseil", "groupe__programme", "groupe__territoire", "institution")
        .order_by("groupe__conseil__nom", "groupe__nom")
    )


def groupes_du_conseil(user, conseil, **filtres):
    """La synthèse des groupes d'un conseil, pour son coordonnateur et sa formation
    restreinte : nom, nature, programme, territoire, pilote, nombre de membres."""
    groupes = GroupeOperationnel.objects.filter(conseil=conseil, **filtres)
    return _avec_synthese(permissions.filtrer(user, groupes, Action.CONSULTER)).order_by(
        "-actif", "nom"
    )


def _groupe_pour(user, pk, action):
    return permissions.obtenir_ou_404(
        user,
        GroupeOperationnel.objects.select_related("conseil", "programme", "territoire"),
        action,
        pk=pk,
    )


def groupe_pour_lecture(user, pk):
    return _groupe_pour(user, pk, Action.LIRE)


def groupe_pour_pilotage(user, pk):
    return _groupe_pour(user, pk, Action.PILOTER)


def groupe_pour_coordination(user, pk):
    return _groupe_pour(user, pk, Action.COORDONNER)


def membres_du_groupe(groupe):
    return (
        groupe.appartenances.actives()
        .select_related("utilisateur", "institution")
        .order_by("-role", "utilisateur__last_name", "utilisateur__first_name")
    )


def anciens_membres_du_groupe(groupe):
    return (
        groupe.appartenances.filter(date_fin__isnull=False)
        .select_related("utilisateur", "institution")
        .order_by("-date_fin")
    )


def designations_du_groupe(groupe):
    return DesignationPilote.objects.filter(groupe=groupe).select_related("pilote", "designe_par")


# Réunions -----------------------------------------------------------------------------------


def reunions_du_groupe(groupe):
    """Les réunions d'un groupe, avec l'état de leur compte rendu (requêtes en nombre fixe)."""
    comptes_rendus = CompteRendu.objects.filter(reunion=OuterRef("pk"))
    return groupe.reunions.annotate(
        version_validee=Subquery(
            comptes_rendus.filter(statut=CompteRendu.Statut.VALIDE)
            .order_by("-version")
            .values("version")[:1]
        ),
        a_un_brouillon=Exists(comptes_rendus.filter(statut=CompteRendu.Statut.BROUILLON)),
    ).order_by("-date", "-heure_debut", "-pk")


def reunions_a_venir(groupe, nombre=5):
    return (
        groupe.reunions.non_annulees()
        .filter(date__gte=timezone.localdate())
        .order_by("date", "heure_debut")[:nombre]
    )


def _reunion_pour(user, pk, action, reunions=Reunion.objects):
    return permissions.obtenir_ou_404(
        user,
        reunions.select_related("groupe__conseil", "groupe__programme", "cree_par"),
        action,
        pk=pk,
    )


def reunion_pour_lecture(user, pk):
    # Ses situations servent deux fois à la fiche : la liste, et l'aperçu du compte rendu.
    return _reunion_pour(user, pk, Action.LIRE, Reunion.objects.prefetch_related("situations"))


def reunion_pour_compte_rendu_valide(user, pk):
    """La réunion d'une version validée : sa copie figée du compte rendu suffit, sans les
    situations."""
    return _reunion_pour(user, pk, Action.LIRE)


def references_des_situations(reunion):
    return sorted(situation.reference for situation in reunion.situations.all())


def reunion_pour_pilotage(user, pk):
    return _reunion_pour(user, pk, Action.PILOTER)


def points_de_la_reunion(reunion):
    return reunion.points.order_by("ordre", "pk")


def suivi_des_decisions(reunion):
    """Les décisions actées aux réunions précédentes du groupe et encore ouvertes."""
    return (
        _decisions_listees(Decision.objects.actees().ouvertes())
        .filter(reunion__groupe_id=reunion.groupe_id, reunion__date__lt=reunion.date)
        .order_by("echeance", "pk")
    )


def decisions_de_la_reunion(reunion):
    return _decisions_listees(reunion.decisions.all()).order_by("pk")


def _decisions_listees(decisions):
    """Les décisions et, des objets liés, ce que leurs listes montrent : la date de la
    réunion, le nom du porteur, la référence de la situation (rien de son dossier)."""
    return decisions.select_related("reunion", "porteur", "institution_porteuse", "situation").only(
        *(champ.name for champ in Decision._meta.concrete_fields),
        "reunion__date",
        "porteur__first_name",
        "porteur__last_name",
        "porteur__email",
        "institution_porteuse__nom",
        "situation__reference",
    )


def membres_a_la_date(reunion):
    """Les appartenances au groupe en cours le jour de la réunion."""
    return (
        reunion.groupe.appartenances.filter(date_debut__lte=reunion.date)
        .filter(Q(date_fin__isnull=True) | Q(date_fin__gte=reunion.date))
        .select_related("utilisateur", "institution")
        .order_by("institution__nom", "utilisateur__last_name", "utilisateur__first_name")
    )


def presences_de_la_reunion(reunion):
    return reunion.presences.select_related(
        "appartenance__utilisateur", "appartenance__institution"
    ).order_by(
        "appartenance__institution__nom",
        "appartenance__utilisateur__last_name",
        "appartenance__utilisateur__first_name",
    )


def convocations_de_la_reunion(reunion):
    return reunion.convocations.select_related("destinataire").order_by("-envoyee_le", "pk")


def comptes_rendus_de_la_reunion(reunion):
    return reunion.comptes_rendus.select_related("valide_par").order_by("-version")


def brouillon_de_la_reunion(reunion):
    return reunion.comptes_rendus.filter(statut=CompteRendu.Statut.BROUILLON).first()


def derniere_version_validee(reunion):
    return (
        reunion.comptes_rendus.filter(statut=CompteRendu.Statut.VALIDE)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )


def compte_rendu_valide(reunion, version):
    return get_object_or_404(
        reunion.comptes_rendus.select_related("valide_par"),
        version=version,
        statut=CompteRendu.Statut.VALIDE,
    )


def _date_iso(valeur):
    return valeur.isoformat() if valeur else None


def contenu_du_compte_rendu(reunion, compte_rendu):
    """Le compte rendu complet, en données simples : ce que la validation fige.

    La même forme sert à l'aperçu du brouillon, à l'affichage et au PDF d'une version.
    """
    return {
        "reunion": {
            "objet": reunion.objet,
            "date": reunion.date.isoformat(),
            "heure_debut": reunion.heure_debut.strftime("%H:%M"),
            "heure_fin": reunion.heure_fin.strftime("%H:%M"),
            "lieu": reunion.lieu,
            "lien_visio": reunion.lien_visio,
        },
        "presences": [
            {
                "nom": str(p.appartenance.utilisateur),
                "institution": p.appartenance.institution.nom,
                "statut": p.get_statut_display(),
                "represente_par": p.represente_par,
            }
            for p in presences_de_la_reunion(reunion)
        ],
        "participants_exterieurs": [
            {"nom": p.nom, "institution": p.institution}
            for p in reunion.participants_exterieurs.order_by("institution", "nom")
        ],
        "points": [
            {"titre": p.titre, "description": p.description, "notes": p.notes}
            for p in points_de_la_reunion(reunion)
        ],
        # Les situations examinées, par leur seule référence pseudonyme.
        "situations": references_des_situations(reunion),
        "suivi_decisions": [_decision_en_donnees(d) for d in suivi_des_decisions(reunion)],
        "decisions": [_decision_en_donnees(d) for d in decisions_de_la_reunion(reunion)],
        "synthese": compte_rendu.synthese,
    }


def _decision_en_donnees(decision):
    return {
        "libelle": decision.libelle,
        "porteur": decision.porteur_affiche,
        "echeance": _date_iso(decision.echeance),
        "statut": decision.get_statut_display(),
        # Une situation individuelle n'est désignée que par sa référence pseudonyme.
        "situation": decision.situation.reference if decision.situation_id else "",
    }


def contenu_pour_affichage(contenu):
    """Les dates du contenu figé, redevenues des dates pour les gabarits."""
    lisible = copy.deepcopy(contenu)
    lisible["reunion"]["date"] = datetime.date.fromisoformat(contenu["reunion"]["date"])
    for cle in ("decisions", "suivi_decisions"):
        for decision in lisible[cle]:
            if decision["echeance"]:
                decision["echeance"] = datetime.date.fromisoformat(decision["echeance"])
    return lisible


# Décisions et calendrier d'une personne -----------------------------------------------------


def mes_decisions(user):
    """Les décisions actées que porte l'utilisateur dans ses groupes, en retard d'abord."""
    aujourdhui = timezone.localdate()
    decisions = Decision.objects.actees().filter(porteur=user)
    return (
        permissions.filtrer(user, decisions, Action.LIRE)
        .select_related("reunion__groupe")
        .annotate(
            rang=Case(
                When(statut__in=STATUTS_OUVERTS, echeance__lt=aujourdhui, then=Value(0)),
                When(statut__in=STATUTS_OUVERTS, then=Value(1)),
                default=Value(2),
            )
        )
        .order_by("rang", F("echeance").asc(nulls_last=True), "pk")
    )


def decision_pour_pilotage(user, pk):
    return permissions.obtenir_ou_404(
        user, Decision.objects.select_related("reunion__groupe__conseil"), Action.PILOTER, pk=pk
    )


def decision_pour_suivi(user, pk):
    """Une décision actée que l'utilisateur porte, ou qu'il pilote."""
    decisions = Decision.objects.actees().select_related("reunion__groupe")
    portees = permissions.filtrer(user, decisions.filter(porteur=user), Action.LIRE)
    pilotees = permissions.filtrer(user, decisions, Action.PILOTER)
    return get_object_or_404(
        decisions.filter(Q(pk__in=portees.values("pk")) | Q(pk__in=pilotees.values("pk"))), pk=pk
    )


def reunions_du_calendrier(user):
    """Les réunions des groupes dont la personne est membre : 90 jours passés et l'avenir."""
    groupes = Appartenance.objects.actives().filter(utilisateur=user).values("groupe_id")
    return (
        Reunion.objects.filter(
            groupe_id__in=groupes, date__gte=timezone.localdate() - datetime.timedelta(days=90)
        )
        .select_related("groupe__conseil")
        .prefetch_related(Prefetch("points", queryset=PointOrdreDuJour.objects.order_by("ordre")))
        .order_by("date", "heure_debut")
    )


def jeton_calendrier(user):
    return JetonCalendrier.objects.filter(utilisateur=user).first()


def utilisateur_du_jeton(jeton):
    return get_object_or_404(
        JetonCalendrier.objects.select_related("utilisateur"),
        jeton=jeton,
        utilisateur__is_active=True,
    ).utilisateur


# Suivi individuel -------------------------------------------------------------------------


def a_un_suivi_individuel(groupe):
    """Les groupes du programme jeunes et les CCOP suivent des situations individuelles."""
    return groupe.nature == GroupeOperationnel.Nature.CCOP or (
        groupe.programme is not None and groupe.programme.axe == Programme.Axe.JEUNES
    )


def charte_en_vigueur(groupe):
    return groupe.chartes.order_by("-version").first()


def a_accepte(user, charte):
    """L'utilisateur a accepté cette version de la charte."""
    return charte.acceptations.filter(utilisateur=user).exists()


def a_accepte_la_charte(user, groupe):
    """L'utilisateur a accepté la version en vigueur de la charte du groupe (une requête ;
    aucune charte publiée : non)."""
    en_vigueur = groupe.chartes.order_by("-version").values("pk")[:1]
    return AcceptationCharte.objects.filter(
        utilisateur=user, charte_id=Subquery(en_vigueur)
    ).exists()


def voit_les_situations(user, groupe):
    """Les situations d'un groupe, que l'utilisateur lit déjà, s'ouvrent après la charte."""
    return a_un_suivi_individuel(groupe) and a_accepte_la_charte(user, groupe)


def situations_a_designer(groupe, *, deja=()):
    """Les situations qu'une réunion ou une décision peut désigner : celles en cours du
    groupe, et celles qu'elle désigne déjà."""
    return (
        Situation.objects.filter(groupe=groupe)
        .filter(Q(date_fin__isnull=True) | Q(pk__in=[s.pk for s in deja if s]))
        .order_by("reference")
    )


def acceptations_de_la_charte(charte):
    return charte.acceptations.select_related("utilisateur").order_by("acceptee_le")


def versions_de_la_charte(groupe):
    """Toutes les versions de la charte du groupe, la plus récente d'abord, chacune avec ses
    acceptations (``version.acceptations.all()``) : deux requêtes, quel que soit le nombre
    de versions."""
    return groupe.chartes.order_by("-version").prefetch_related(
        Prefetch(
            "acceptations",
            queryset=AcceptationCharte.objects.select_related("utilisateur").order_by(
                "acceptee_le"
            ),
        )
    )


def situation_deja_suivie(groupe, nom, prenom, date_naissance, *, sauf=None):
    """Le dossier en cours d'une même personne dans le groupe (même nom, prénom et date de
    naissance, sans tenir compte de la casse), autre que ``sauf``."""
    if not (nom and prenom and date_naissance):
        return None
    # La casse se compare ici et non en base : SQLite ne l'ignore que pour les lettres
    # sans accent (« LÉA » y diffère de « Léa »). Peu de dossiers partagent une date de
    # naissance dans un groupe.
    personne = (nom.strip().casefold(), prenom.strip().casefold())
    autres = groupe.situations.actives().filter(date_naissance=date_naissance)
    if sauf is not None:
        autres = autres.exclude(pk=sauf.pk)
    for situation in autres:
        if (situation.nom.strip().casefold(), situation.prenom.strip().casefold()) == personne:
            return situation
    return None


def situations_du_groupe(groupe, *, recherche=""):
    situations = groupe.situations.actives().select_related("referent", "programme")
    if recherche:
        situations = situations.filter(
            Q(nom__icontains=recherche)
            | Q(prenom__icontains=recherche)
            | Q(reference__iexact=recherche.strip())
        )
    return situations.order_by("nom", "prenom", "pk")


def situation_pour_suivi(user, pk):
    """Une situation en cours, pour un membre du groupe qui a accepté sa charte."""
    situation = permissions.obtenir_ou_404(
        user,
        Situation.objects.actives().select_related("groupe__conseil", "referent", "programme"),
        Action.LIRE,
        pk=pk,
    )
    if not a_accepte_la_charte(user, situation.groupe):
        raise Http404
    return situation


def archive_pour_pilotage(user, pk):
    return permissions.obtenir_ou_404(
        user,
        Situation.objects.archivees().select_related("groupe__conseil", "referent", "programme"),
        Action.PILOTER,
        pk=pk,
    )


def archives_du_groupe(groupe):
    """Les suivis clos du groupe : référence, date et motif de fin, sans aucun nom. Le
    groupe reste chargé (``groupe_id``) : sans lui, Django relirait chaque ligne pour y
    rattacher le groupe connu du gestionnaire ``groupe.situations``."""
    return (
        groupe.situations.archivees()
        .only("pk", "groupe_id", "reference", "date_fin", "motif_fin")
        .order_by("-date_fin", "-pk")
    )


def journal_du_groupe(groupe):
    return groupe.journal_acces.select_related("utilisateur").order_by("-horodatage", "-pk")


SEUIL_DE_DIFFUSION = 5


def masquer_les_petits_nombres(nombre):
    """Hors du groupe, un nombre inférieur à 5 s'affiche « < 5 »."""
    return "< 5" if 0 < nombre < SEUIL_DE_DIFFUSION else nombre


def agregats_du_suivi(groupe, annee):
    """Ce qui peut sortir du groupe pour une année : des nombres, les petits masqués."""
    debut, fin = datetime.date(annee, 1, 1), datetime.date(annee, 12, 31)
    return agregats_du_suivi_par_groupe([groupe], debut, fin)[groupe.pk]


def agregats_du_suivi_par_groupe(groupes, debut, fin):
    """{groupe_id: agrégats} des situations suivies du ``debut`` à la ``fin`` (incluse) :
    suivies, entrées, sorties (et par motif), solutions trouvées. Deux requêtes groupées,
    quel que soit le nombre de groupes ; tout nombre de 1 à 4 devient « < 5 »."""
    situations = Situation.objects.filter(groupe__in=groupes)
    sorties = Q(date_fin__gte=debut, date_fin__lte=fin)
    chiffres = {
        ligne.pop("groupe_id"): ligne
        for ligne in situations.values("groupe_id").annotate(
            suivies=Count(
                "pk",
                filter=Q(date_debut__lte=fin) & (Q(date_fin__isnull=True) | Q(date_fin__gte=debut)),
            ),
            entrees=Count("pk", filter=Q(date_debut__gte=debut, date_debut__lte=fin)),
            sorties=Count("pk", filter=sorties),
            solutions=Count("pk", filter=sorties & Q(motif_fin=Situation.MotifFin.SOLUTION)),
        )
    }
    par_motif = {}
    for ligne in (
        situations.filter(sorties).values("groupe_id", "motif_fin").annotate(nombre=Count("pk"))
    ):
        par_motif.setdefault(ligne["groupe_id"], {})[ligne["motif_fin"]] = ligne["nombre"]
    libelles = dict(Situation.MotifFin.choices)
    vides = dict.fromkeys(("suivies", "entrees", "sorties", "solutions"), 0)
    return {
        groupe.pk: {
            **{
                cle: masquer_les_petits_nombres(n)
                for cle, n in chiffres.get(groupe.pk, vides).items()
            },
            "sorties_par_motif": [
                {"motif": libelles[motif], "nombre": masquer_les_petits_nombres(nombre)}
                for motif, nombre in sorted(par_motif.get(groupe.pk, {}).items())
            ],
        }
        for groupe in groupes
    }


# Données personnelles ---------------------------------------------------------------------


def _date(valeur):
    return valeur.isoformat() if valeur else None


def donnees_personnelles(user):
    """Ce que l'application garde sur la personne elle-même (droit d'accès, RGPD art. 15) :
    son compte, ses appartenances, désignations, sièges, acceptations de charte, convocations,
    présences, et ses propres passages au journal des accès. Rien du contenu des groupes ni
    des personnes suivies : le journal n'en donne que la référence pseudonyme."""
    return {
        "compte": {
            "adresse_electronique": user.email,
            "prenom": user.first_name,
            "nom": user.last_name,
            "fonction": user.fonction,
            "institution": str(user.institution) if user.institution_id else None,
            "actif": user.is_active,
            "cree_le": user.date_joined.isoformat(),
            "derniere_connexion": _date(user.last_login),
        },
        "appartenances": [
            {
                "groupe": a.groupe.nom,
                "conseil": a.groupe.conseil.nom,
                "institution": a.institution.nom,
                "role": a.get_role_display(),
                "debut": _date(a.date_debut),
                "fin": _date(a.date_fin),
            }
            for a in user.appartenances.select_related("groupe__conseil", "institution").order_by(
                "date_debut", "pk"
            )
        ],
        "designations_de_pilote": [
            {"groupe": d.groupe.nom, "debut": _date(d.date_designation), "fin": _date(d.date_fin)}
            for d in user.designations_pilote.select_related("groupe").order_by("pk")
        ],
        "sieges_formation_restreinte": [
            {
                "conseil": s.conseil.nom,
                "qualite": s.qualite,
                "debut": _date(s.date_debut),
                "fin": _date(s.date_fin),
            }
            for s in MembreFormationRestreinte.objects.filter(utilisateur=user)
            .select_related("conseil")
            .order_by("pk")
        ],
        "acceptations_de_charte": [
            {
                "groupe": a.charte.groupe.nom,
                "version": a.charte.version,
                "acceptee_le": a.acceptee_le.isoformat(),
            }
            for a in AcceptationCharte.objects.filter(utilisateur=user)
            .select_related("charte__groupe")
            .order_by("acceptee_le")
        ],
        "convocations_recues": [
            {
                "groupe": c.reunion.groupe.nom,
                "reunion": _date(c.reunion.date),
                "envoi": c.get_type_display(),
                "envoyee_le": c.envoyee_le.isoformat(),
            }
            for c in Convocation.objects.filter(destinataire=user)
            .select_related("reunion__groupe")
            .order_by("envoyee_le")
        ],
        "presences": [
            {
                "groupe": p.reunion.groupe.nom,
                "reunion": _date(p.reunion.date),
                "statut": p.get_statut_display(),
            }
            for p in Presence.objects.filter(appartenance__utilisateur=user)
            .select_related("reunion__groupe")
            .order_by("reunion__date")
        ],
        "journal_des_acces": [
            {
                "groupe": j.groupe.nom,
                "horodatage": j.horodatage.isoformat(),
                "operation": j.get_operation_display(),
                "situation": j.reference,
                "adresse_ip": j.adresse_ip,
            }
            for j in JournalAcces.objects.filter(utilisateur=user)
            .select_related("groupe")
            .order_by("horodatage")
        ],
        "connexions": [
            {
                "le": log.attempt_time.isoformat(),
                "adresse_ip": log.ip_address,
                "navigateur": log.user_agent,
            }
            for log in AccessLog.objects.filter(username=user.email).order_by("attempt_time")
        ],
        # Les PDF demandés ces dernières 24 heures : la demande, jamais le document.
        "pdf_demandes": [
            {
                "document": rendus.libelle_du_document(r.document),
                "demande_le": r.cree_le.isoformat(),
                "etat": r.get_etat_display(),
            }
            for r in user.rendus_pdf.order_by("cree_le")
        ],
    }


def double_authentification_exigee(user):
    """Coordonnateurs, pilotes, et membres des groupes qui suivent des situations."""
    if (
        user.conseils_coordonnes.exists()
        or user.designations_pilote.filter(date_fin__isnull=True).exists()
    ):
        return True
    suivi = Q(groupe__nature=GroupeOperationnel.Nature.CCOP) | Q(
        groupe__programme__axe=Programme.Axe.JEUNES
    )
    return user.appartenances.actives().filter(suivi).exists()
