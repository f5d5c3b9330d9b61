"""Les vérifications de l'installation : ``check --deploy`` signale un WeasyPrint qui
réduirait ses polices sans HarfBuzz-Subset (des PDF dix fois plus lents)."""

import pytest
from weasyprint.text import ffi

from clspd.checks import reduction_des_polices


@pytest.mark.skipif(
    ffi.harfbuzz_subset is None, reason="libharfbuzz-subset0 absent de cette machine"
)
def test_harfbuzz_subset_present_rien_a_signaler():
    assert reduction_des_polices(None) == []


def test_harfbuzz_subset_absent_signale(monkeypatch):
    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    (avertissement,) = reduction_des_polices(None)
    assert avertissement.id == "clspd.W001"
    assert "libharfbuzz-subset0" in avertissement.hint
