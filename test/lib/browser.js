'use strict';
// Debian's Chromium driven by playwright-core, for the tests that look at pages (the editor, the maps, the
// dashboard). `chromiumMissing()` says why it cannot run; screenshots go to test-artifacts/, and to docs/images/
// for the README when SCREENSHOTS=docs (npm run screenshots).
const fs = require('node:fs');
const path = require('node:path');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ROOT = path.join(__dirname, '..', '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const DOC_IMAGES = path.join(ROOT, 'docs', 'images');

function chromiumMissing() {
  return fs.existsSync(CHROMIUM)
    ? undefined
    : `no browser at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
}

function launchChromium() {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A screenshot into test-artifacts/<name>.png, and into docs/images/ when asked for (`forDocs`, SCREENSHOTS=docs). */
async function screenshot(page, name, { forDocs = false } = {}) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  if (forDocs && process.env.SCREENSHOTS === 'docs') {
    fs.mkdirSync(DOC_IMAGES, { recursive: true });
    fs.copyFileSync(file, path.join(DOC_IMAGES, `${name}.png`));
  }
}

module.exports = { chromiumMissing, launchChromium, screenshot, DOC_IMAGES };
