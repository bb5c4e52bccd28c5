import pytest

from territoires import geodata
from territoires.models import EPCI, CodeCommuneHistorique, Commune, Departement, Region, TypeEPCI

pytestmark = pytest.mark.django_db


def test_the_official_geography_is_loaded_with_real_counts():
    assert Region.objects.count() == 18
    assert Departement.objects.count() == 101
    # 1,254 EPCI à fiscalité propre + the Métropole de Lyon, and the 11 EPT of the Grand Paris.
    assert EPCI.objects.exclude(type__in=[TypeEPCI.EPT, TypeEPCI.MET69]).count() == 1254
    assert EPCI.objects.filter(type=TypeEPCI.EPT).count() == 11
    assert Commune.objects.filter(parent__isnull=True).count() > 34800


def test_communes_point_to_their_epci_and_ept():
    lille = Commune.objects.get(code="59350")
    assert lille.epci.nom == "Métropole Européenne de Lille"
    assert lille.departement.region.nom == "Hauts-de-France"
    saint_denis = Commune.objects.get(code="93066")
    assert saint_denis.ept.nom == "Plaine Commune"
    assert saint_denis.epci.type == TypeEPCI.METRO


def test_municipal_arrondissements_are_communes_of_their_city():
    arrondissement = Commune.objects.get(code="75101")
    assert arrondissement.parent_id == "75056"
    assert arrondissement.epci_id == arrondissement.parent.epci_id


def test_former_commune_codes_resolve_to_todays_commune():
    # Lille absorbed Lomme (59355) and Hellemmes-Lille (59298).
    assert CodeCommuneHistorique.objects.get(code="59355").commune_id == "59350"


def test_lec_flag_defaults_to_non_cc_intercommunalities():
    assert EPCI.objects.get(siren="200093201").lec is True
    assert not EPCI.objects.filter(type=TypeEPCI.CC, lec=True).exists()


def test_loading_again_updates_in_place_without_duplicates():
    before = Commune.objects.count(), EPCI.objects.count(), CodeCommuneHistorique.objects.count()
    geodata.load()
    assert (Commune.objects.count(), EPCI.objects.count(), CodeCommuneHistorique.objects.count()) == before
