"""Drive the site in headless Chromium: landing page, one example query, one jurisdiction page,
a facet; desktop and phone widths. Screenshots go to test-artifacts/ (gitignored)."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from test_app_support import ROOT, live_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMEDRIVER = shutil.which("chromedriver")
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="chromium and chromedriver are not installed "
                                       "(apt-get install chromium chromium-driver)")


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1280,1000"):
        opts.add_argument(a)
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    drv.set_page_load_timeout(30)
    ARTIFACTS.mkdir(exist_ok=True)
    yield drv
    drv.quit()
    shutil.rmtree(profile, ignore_errors=True)


def shot(drv, name: str) -> Path:
    path = ARTIFACTS / f"browser-{name}.png"
    # the whole page, not just the first screen
    height = drv.execute_script("return Math.min(document.body.scrollHeight, 4000)")
    width = drv.execute_script("return window.innerWidth")
    drv.set_window_size(max(width, 360), height + 120)
    drv.save_screenshot(str(path))
    assert path.stat().st_size > 5000
    return path


def console_errors(drv) -> list[str]:
    try:
        return [e["message"] for e in drv.get_log("browser") if e["level"] == "SEVERE"]
    except Exception:  # noqa: BLE001 - not every driver keeps logs
        return []


def test_walk_through_the_site(browser):
    from selenium.webdriver.common.by import By

    url = live_server()
    drv = browser
    drv.set_window_size(1280, 1000)
    drv.get(url + "/")
    assert drv.title.startswith("Demand KG")
    assert drv.find_element(By.CSS_SELECTOR, "svg.chart").is_displayed()
    cards = drv.find_elements(By.CSS_SELECTOR, ".gallery a.run")
    assert len(cards) >= 8
    shot(drv, "1-landing")

    # one example query, one click
    drv.set_window_size(1280, 1000)
    drv.find_element(By.LINK_TEXT, "Texas places that ran web stings after 2015 with buyers arrested").click()
    table = drv.find_element(By.ID, "result-table")
    cells = [td.text for td in table.find_elements(By.CSS_SELECTOR, "tbody td")]
    assert "Harris County, TX @en" in cells and "28 xsd:integer" in cells
    assert "id:jurisdiction/harris-county-tx" in cells  # IRIs as links to their pages
    assert "Evil" in " ".join(cells)  # escaped text, shown as text
    assert not drv.execute_script("return !!window.__xss")
    assert drv.find_element(By.LINK_TEXT, "CSV").get_attribute("href").endswith("format=csv")
    shot(drv, "2-example-query")

    # the query editor: pick an example from the menu and run it with the button
    drv.set_window_size(1280, 1000)
    drv.get(url + "/sparql")
    from selenium.webdriver.support.ui import Select

    Select(drv.find_element(By.ID, "examples")).select_by_visible_text("How many places use each tactic")
    assert "usesTactic" in drv.find_element(By.ID, "query").get_attribute("value")
    drv.find_element(By.ID, "run").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(drv, 10).until(lambda d: d.find_elements(By.ID, "result-table"))
    assert len(drv.find_elements(By.CSS_SELECTOR, "#result-table tbody tr")) == 15

    # a jurisdiction page
    drv.get(url + "/jurisdictions")
    drv.find_element(By.LINK_TEXT, "Norwich, CT").click()
    assert drv.find_element(By.TAG_NAME, "h1").text == "Norwich, CT"
    claims = drv.find_elements(By.CSS_SELECTOR, "#claims article.claim")
    assert len(claims) == 3
    assert "not evidence" in drv.find_element(By.ID, "menu").text
    ops = drv.find_element(By.ID, "operations").text
    assert "2017-09" in ops and "Norwich Police Department" in ops
    shot(drv, "3-jurisdiction")

    # a facet: state TX, then tactic
    drv.set_window_size(1280, 1000)
    drv.get(url + "/jurisdictions")
    drv.find_element(By.CSS_SELECTOR, 'a[data-facet="state"][data-value="TX"]').click()
    rows = drv.find_elements(By.CSS_SELECTOR, "#places tbody tr")
    assert len(rows) == 3 and all(r.find_elements(By.TAG_NAME, "td")[1].text == "TX" for r in rows)
    drv.find_element(By.CSS_SELECTOR, 'a[data-facet="tactic"][data-value="john-school"]').click()
    rows = drv.find_elements(By.CSS_SELECTOR, "#places tbody tr")
    assert [r.find_element(By.TAG_NAME, "a").text for r in rows] == ["Harris County, TX"]
    shot(drv, "4-facet")

    # the evil place's page: its name is text, no script ran
    drv.get(url + "/page/jurisdiction/evil-tx")
    assert "<script>" in drv.find_element(By.TAG_NAME, "h1").text
    assert drv.execute_script("return document.querySelectorAll('main script, main img').length") == 0
    assert not console_errors(drv), console_errors(drv)

    # on a phone
    drv.set_window_size(390, 844)
    drv.get(url + "/page/jurisdiction/norwich-ct")
    overflow = drv.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 2, f"the page is {overflow}px wider than a phone"
    shot(drv, "5-phone-jurisdiction")


def test_map_and_combined_facets(browser):
    """The places page in Chromium: the map of the places, two tactics combined (all of
    them), two states (any of them), a misspelled value and its did-you-mean, sorting."""
    import requests
    from selenium.webdriver.common.by import By

    url = live_server()
    drv = browser
    drv.set_window_size(1280, 1000)

    def names():
        return [r.find_element(By.TAG_NAME, "a").text for r in drv.find_elements(By.CSS_SELECTOR, "#places tbody tr")
                if r.find_elements(By.TAG_NAME, "a")]

    def dots():
        return len(drv.find_elements(By.CSS_SELECTOR, "svg#map circle"))

    def with_coordinates(qs):
        return sum(1 for r in requests.get(f"{url}/jurisdictions.json{qs}", timeout=30).json()["rows"]
                   if r["lat"] is not None)

    drv.get(url + "/jurisdictions")
    svg = drv.find_element(By.CSS_SELECTOR, "svg#map")
    assert svg.is_displayed() and svg.size["width"] > 500
    assert len(drv.find_elements(By.CSS_SELECTOR, "svg#map path.st")) == 51  # the states and DC, outlined
    assert dots() == with_coordinates("") >= 2
    # two tactics: places with evidence of both, whichever is clicked first
    drv.find_element(By.CSS_SELECTOR, 'a[data-facet="tactic"][data-value="web-stings"]').click()
    drv.find_element(By.CSS_SELECTOR, 'a[data-facet="tactic"][data-value="reverse-stings"]').click()
    assert sorted(names()) == ["Austin, TX", "Norwich, CT"]
    assert "tactic=web-stings&tactic=reverse-stings" in drv.current_url
    assert dots() == with_coordinates("?tactic=web-stings&tactic=reverse-stings")
    chips = [c.text for c in drv.find_elements(By.CSS_SELECTOR, "#summary .chip")]
    assert chips == ["tactic: Web Stings ✕", "tactic: Reverse Stings ✕"]
    # two states: any of them
    drv.find_element(By.CSS_SELECTOR, 'a[data-facet="state"][data-value="TX"]').click()
    assert names() == ["Austin, TX"]
    drv.find_element(By.CSS_SELECTOR, 'a[data-facet="state"][data-value="CT"]').click()
    assert sorted(names()) == ["Austin, TX", "Norwich, CT"]
    shot(drv, "6-map-combined-facets")
    # the map's dots link to the places
    first = drv.find_element(By.CSS_SELECTOR, "svg#map a.pt")
    assert first.get_dom_attribute("href").startswith("/page/jurisdiction/")
    # sorting by a column, from its header
    drv.get(url + "/jurisdictions?state=TX")
    drv.find_element(By.CSS_SELECTOR, 'th a[data-sort="population"]').click()
    drv.find_element(By.CSS_SELECTOR, 'th a[data-sort="population"]').click()  # again: descending
    assert names()[0] == "Harris County, TX"
    # a misspelled value says so, and its suggestion works
    drv.get(url + "/jurisdictions?tactic=web-sting")
    err = drv.find_element(By.ID, "facet-error")
    assert "no such tactic" in err.text and err.is_displayed()
    shot(drv, "7-misspelled-facet")
    err.find_element(By.LINK_TEXT, "web-stings").click()
    assert len(names()) == 4
    # on a phone: the map scales down with the page
    drv.set_window_size(390, 844)
    drv.get(url + "/jurisdictions?tactic=web-stings")
    overflow = drv.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 2, f"the page is {overflow}px wider than a phone"
    assert drv.find_element(By.CSS_SELECTOR, "svg#map").size["width"] <= 390
    shot(drv, "8-phone-map")
    errors = [e for e in console_errors(drv) if "tactic=web-sting - " not in e]  # the misspelled page is a 400
    assert not errors, errors
