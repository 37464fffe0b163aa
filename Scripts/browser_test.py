#!/usr/bin/env python3
"""Browser test of `skycorpus serve`: Debian's headless chromium driven by selenium (chromium-driver).

Starts `skycorpus serve` on a free loopback port, then, in the page: runs a text query, opens the first result's
detail view, toggles an overlay (the rendering's URL and pixels change), opens the duplicates page and the change
pairs page, asserting on the DOM at each step, and saves screenshots. Exit status 0 when every check passed.

    python3 Scripts/browser_test.py --bin .build/release/skycorpus --corpus C --model M [--screenshots DIR]
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

CHECKS = []


def check(condition, what):
    CHECKS.append((bool(condition), what))
    print(("ok   " if condition else "FAIL ") + what, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_health(base, server, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"browser test: serve exited early with status {server.returncode}")
        try:
            with urllib.request.urlopen(base + "/api/health", timeout=2) as response:
                return json.load(response)
        except OSError:
            time.sleep(0.3)
    raise SystemExit("browser test: serve did not answer /api/health in time")


def driver():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1000"]:
        options.add_argument(argument)
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=service, options=options)


def image_loaded(browser, element):
    return browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", element)


def run(base, shots, query):
    browser = driver()
    wait = WebDriverWait(browser, 30)
    try:
        browser.get(base + "/#/search")
        wait.until(EC.text_to_be_present_in_element((By.ID, "health"), "images"))
        check("search:" in browser.find_element(By.ID, "health").text, "the header says search is on")
        box = browser.find_element(By.ID, "query")
        box.send_keys(query)
        browser.find_element(By.ID, "search-button").click()
        wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#results .result")) > 0)
        results = browser.find_elements(By.CSS_SELECTOR, "#results .result")
        check(len(results) >= 5, f"the query returned a grid of results ({len(results)})")
        scores = [float(r.find_element(By.CLASS_NAME, "score").text) for r in results]
        check(scores == sorted(scores, reverse=True), "scores are shown best first")
        wait.until(lambda b: all(image_loaded(b, i) for i in b.find_elements(By.CSS_SELECTOR, "#results img")[:6]))
        check("results for" in browser.find_element(By.ID, "search-status").text, "the status line reports the query")
        browser.save_screenshot(os.path.join(shots, "serve-search.png"))

        results[0].click()
        wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#record h2")))
        check(browser.current_url.split("#")[1].startswith("/image/"), "clicking a result opens its detail view")
        overlay = browser.find_element(By.ID, "overlay-image")
        wait.until(lambda b: image_loaded(b, overlay))
        toggles = browser.find_elements(By.CSS_SELECTOR, ".overlay-toggle")
        layers = browser.find_elements(By.CSS_SELECTOR, ".layer-toggle")
        check(len(layers) == 3, "the detail view has box, polygon and mask toggles")
        record_text = browser.find_element(By.ID, "record").text
        check("Captions" in record_text or "Objects" in record_text, "the record lists captions or objects")
        before = overlay.get_attribute("src")
        (toggles[0] if toggles else layers[0]).click()
        wait.until(lambda b: b.find_element(By.ID, "overlay-image").get_attribute("src") != before)
        wait.until(lambda b: image_loaded(b, b.find_element(By.ID, "overlay-image")))
        after = browser.find_element(By.ID, "overlay-image").get_attribute("src")
        check(after != before, "toggling an overlay re-renders the image without it")
        check(browser.find_element(By.ID, "more-like-this").is_enabled(), "'More like this' is offered")
        browser.save_screenshot(os.path.join(shots, "serve-detail.png"))

        # Open a detail view of an image with objects, with every overlay on (the README's picture).
        browser.find_element(By.ID, "nav-duplicates").click()
        wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, ".dup-group")) > 0
                   or "No duplicate groups" in b.find_element(By.ID, "dup-status").text)
        groups = browser.find_elements(By.CSS_SELECTOR, ".dup-group")
        check(len(groups) > 0, f"the duplicates page shows the dedup groups ({len(groups)})")
        check(all(len(g.find_elements(By.TAG_NAME, "figure")) >= 2 for g in groups), "each group shows its images side by side")
        check("bits" in groups[0].text if groups else False, "groups show Hamming distances")
        browser.save_screenshot(os.path.join(shots, "serve-duplicates.png"))

        browser.find_element(By.ID, "nav-changes").click()
        wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, ".change-pair")) > 0
                   or "No change pairs" in b.find_element(By.ID, "change-status").text)
        pairs = browser.find_elements(By.CSS_SELECTOR, ".change-pair")
        check(len(pairs) > 0 and len(pairs[0].find_elements(By.TAG_NAME, "img")) == 3,
              "the change pairs page shows before, after and mask")
        browser.save_screenshot(os.path.join(shots, "serve-changes.png"))
    finally:
        browser.quit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--screenshots", default="demo-out/browser")
    parser.add_argument("--query", default="a ship in a harbour")
    arguments = parser.parse_args()
    os.makedirs(arguments.screenshots, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([arguments.bin, "serve", "--corpus", arguments.corpus, "--model", arguments.model,
                               "--port", str(port)])
    try:
        health = wait_for_health(base, server)
        check(health["search"]["available"], "serve loaded the model and the index")
        run(base, arguments.screenshots, arguments.query)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    failed = [what for ok, what in CHECKS if not ok]
    print(f"{len(CHECKS) - len(failed)} passed, {len(failed)} failed")
    print(f"browser test: screenshots in {arguments.screenshots}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
