// Browser end-to-end test of the Jingzhun pages (issue 3): Playwright (playwright-core) driving
// Debian's Chromium. A plain Node script: each step is logged, a PNG screenshot is saved after
// each step into the artefacts folder, and the first failure ends the run with exit code 1.
//
//   BASE_URL=http://127.0.0.1:8080 node e2e/run.mjs
//
// Environment:
//   BASE_URL           the running server (required), e.g. http://127.0.0.1:PORT
//   E2E_ARTIFACTS      where screenshots go (default: e2e/artifacts next to this script)
//   JINGZHUN_CHROMIUM  the browser (default /usr/bin/chromium)
//   E2E_TIMEOUT_MS     per-action timeout (default 15000)
//
// The server must hold the demo data and accounts (`jingzhun demo --no-serve`).

import { chromium, request as apiRequest } from 'playwright-core';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const BASE_URL = (process.env.BASE_URL ?? '').replace(/\/+$/, '');
const ARTIFACTS = resolve(process.env.E2E_ARTIFACTS ?? join(here, 'artifacts'));
const CHROMIUM = process.env.JINGZHUN_CHROMIUM || '/usr/bin/chromium';
const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS ?? 15000);
const IMPORT_TIMEOUT = Math.max(TIMEOUT, 60000);
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const PASSWORD = 'Daan-demo-2020';

if (!/^https?:\/\//.test(BASE_URL)) {
  console.error('e2e: set BASE_URL to the running server, e.g. BASE_URL=http://127.0.0.1:8080');
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Logging, screenshots, checks

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const log = (msg) => console.log(`[e2e ${elapsed()}] ${msg}`);

class Failure extends Error {}
function check(cond, msg) {
  if (!cond) throw new Failure(msg);
}

let shotNo = 0;
async function screenshot(page, name) {
  shotNo += 1;
  const file = join(ARTIFACTS, `${String(shotNo).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log(`  screenshot ${file}`);
  return file;
}

/** Polls `fn` until it returns a truthy value; fails with `what` after `timeout` ms. */
async function until(what, fn, timeout = TIMEOUT) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Failure(`timed out after ${timeout} ms waiting for ${what}${last ? ` (${last.message})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits for `selector` to be visible; a clear message when it is not there. */
async function visible(page, selector, what = selector, timeout = TIMEOUT) {
  try {
    await page.locator(selector).first().waitFor({ state: 'visible', timeout });
  } catch {
    throw new Failure(`${what}: \`${selector}\` not visible on ${page.url()} within ${timeout} ms`);
  }
  return page.locator(selector);
}

async function goto(page, path, expectStatus = 200) {
  const resp = await page.goto(BASE_URL + path, { waitUntil: 'load' });
  check(resp, `no response for ${path}`);
  check(
    resp.status() === expectStatus,
    `GET ${path} answered ${resp.status()}, expected ${expectStatus}`,
  );
  return resp;
}

async function clickAndWaitForUrl(page, locator, urlTest, what) {
  await Promise.all([
    page.waitForURL(urlTest, { timeout: TIMEOUT, waitUntil: 'load' }).catch(() => {
      throw new Failure(`${what}: did not arrive (still at ${page.url()})`);
    }),
    locator.click(),
  ]);
}

const pathOf = (page) => new URL(page.url()).pathname;

// ---------------------------------------------------------------------------------------------
// Area codes (the rules of jingzhun_domain::area::AreaCode)

/** A 2-, 4-, 6-, 9- or 12-digit code padded to 12 digits. */
function fullCode(code) {
  const c = String(code).trim();
  if (!/^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$/.test(c)) return null;
  return c.padEnd(12, '0');
}
/** The significant prefix: 2 digits for a province, 4 for a city, 6, 9 or 12. */
function prefix(full) {
  if (/^0+$/.test(full.slice(2))) return full.slice(0, 2);
  if (/^0+$/.test(full.slice(4))) return full.slice(0, 4);
  if (/^0+$/.test(full.slice(6))) return full.slice(0, 6);
  if (/^0+$/.test(full.slice(9))) return full.slice(0, 9);
  return full;
}
const contains = (outer, inner) => inner.startsWith(prefix(outer));
const overlaps = (a, b) => contains(a, b) || contains(b, a);
const codeFromHref = (href) => {
  const m = /\/areas\/(\d+)/.exec(href ?? '');
  return m ? fullCode(m[1]) : null;
};

// ---------------------------------------------------------------------------------------------
// The bad import: the interchange headers (shared/spec/interchange.md), one bad status and one
// unknown village code.

const BAD_STATUS = 'notastatus';
const UNKNOWN_VILLAGE = '510304999999';

/** An 18-character ID number with its GB 11643 check character. */
function idNumber(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * w[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

function writeBadImport(villageCode) {
  const dir = mkdtempSync(join(tmpdir(), 'jingzhun-e2e-'));
  const households = [
    'household_id,village_code,group_name,status,poverty_type,identified_year,exit_year,primary_cause,housing_safe,water_safe,annual_net_income,income_year,phone',
    `E2E-BAD-0001,${villageCode},一组,${BAD_STATUS},一般贫困户,2014,,,是,是,8000,2020,`,
    `E2E-BAD-0002,${UNKNOWN_VILLAGE},二组,registered,一般贫困户,2014,,,是,是,9000,2020,`,
  ].join('\n');
  const persons = [
    'id_number,name,household_id,relation,gender,birth_date',
    `${idNumber('51030419800101123')},测试甲,E2E-BAD-0001,户主,男,1980-01-01`,
    `${idNumber('51030419820202124')},测试乙,E2E-BAD-0002,户主,女,1982-02-02`,
  ].join('\n');
  const files = [join(dir, 'households.csv'), join(dir, 'persons.csv')];
  writeFileSync(files[0], households + '\n');
  writeFileSync(files[1], persons + '\n');
  return { dir, files };
}

// ---------------------------------------------------------------------------------------------
// The run

async function login(page, who) {
  await goto(page, '/login');
  await visible(page, 'form#login', 'login form');
  await page.locator('form#login input[name=login]').fill(who);
  await page.locator('form#login input[name=password]').fill(PASSWORD);
  await clickAndWaitForUrl(
    page,
    page.locator('form#login button[type=submit]'),
    (u) => u.pathname === '/dashboard',
    `log in as ${who} (expected to land on /dashboard)`,
  );
}

/** Areas of an account's roles, asked of the API with the page's session. */
async function rolesOf(ctx) {
  const r = await ctx.request.get(BASE_URL + '/api/v1/me');
  check(r.ok(), `GET /api/v1/me answered ${r.status()}`);
  const me = await r.json();
  check(Array.isArray(me.roles), `GET /api/v1/me: no roles array in ${JSON.stringify(me)}`);
  return me;
}

const steps = [];
const step = (name, fn) => steps.push({ name, fn });
const state = {};
const pageErrors = [];

function watch(page, who) {
  page.on('pageerror', (e) => {
    pageErrors.push(`${who} ${page.url()}: ${e.message}`);
    log(`  ! page error (${who}) at ${page.url()}: ${e.message}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') log(`  ! console error (${who}) at ${page.url()}: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) log(`  ! ${r.status()} for ${r.request().method()} ${r.url()} (${who})`);
  });
}

step('login', async ({ page }) => {
  await goto(page, '/login');
  await visible(page, 'form#login', 'login form');
  for (const sel of ['input[name=login]', 'input[name=password]', 'button[type=submit]']) {
    check(
      (await page.locator(`form#login ${sel}`).count()) === 1,
      `login form: expected one \`${sel}\` inside form#login`,
    );
  }
  await page.locator('form#login input[name=login]').fill('county');
  await page.locator('form#login input[name=password]').fill(PASSWORD);
  await screenshot(page, 'login');
  await clickAndWaitForUrl(
    page,
    page.locator('form#login button[type=submit]'),
    (u) => u.pathname === '/dashboard',
    'log in as county (expected to land on /dashboard)',
  );
  const me = await rolesOf(state.ctx);
  check(me.login === 'county', `signed in as ${me.login}, expected county`);
  log(`  signed in as county: ${JSON.stringify(me.roles)}`);
  return false; // the dashboard step takes the next screenshot
});

step('dashboard', async ({ page }) => {
  await visible(page, 'table#status-table', 'households and persons by status');
  const statusRows = await page.locator('table#status-table tbody tr').count();
  check(statusRows > 0, 'table#status-table has no body rows');
  await visible(page, '#cause-chart', 'cause chart container');
  await until('ECharts to draw into #cause-chart (a canvas or svg)', () =>
    page.locator('#cause-chart canvas, #cause-chart svg').count(),
  );
  await visible(page, 'table#children-table', 'children table');
  const links = page.locator('table#children-table a.area-link');
  const n = await links.count();
  check(n > 0, 'table#children-table has no a.area-link');
  log(`  ${statusRows} status rows, ${n} child areas, chart drawn`);
});

step('dashboard-phone', async ({ page }) => {
  await page.setViewportSize(PHONE);
  await goto(page, '/dashboard');
  await visible(page, 'table#status-table', 'households and persons by status (phone)');
  await until('ECharts to draw into #cause-chart on a phone', () =>
    page.locator('#cause-chart canvas, #cause-chart svg').count(),
  );
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  log(`  phone ${PHONE.width}x${PHONE.height}: page scroll width ${width}px${width > PHONE.width ? ' (wider than the screen: scrolls sideways)' : ''}`);
  const shot = await screenshot(page, 'dashboard-phone');
  await page.setViewportSize(DESKTOP);
  await goto(page, '/dashboard');
  return shot;
});

step('township', async ({ page, township2Areas }) => {
  const links = page.locator('table#children-table a.area-link');
  await visible(page, 'table#children-table a.area-link', 'child area links');
  const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  // A township outside the reach of `township2`, so that its households are refused to it.
  let index = hrefs.findIndex((h) => {
    const c = codeFromHref(h);
    return c && township2Areas.every((a) => !overlaps(a, c));
  });
  check(index >= 0, `no child area outside township2's reach (${township2Areas.join(', ')}) among ${hrefs.join(', ')}`);
  const name = (await links.nth(index).innerText()).trim();
  await clickAndWaitForUrl(page, links.nth(index), (u) => u.pathname.startsWith('/areas/'), `open township ${name}`);
  state.township = codeFromHref(pathOf(page));
  check(state.township, `township page URL ${page.url()} is not /areas/{code}`);
  await visible(page, 'table#children-table', `children table of township ${name}`);
  check(
    (await page.locator('table#children-table a.area-link').count()) > 0,
    `township ${name}: table#children-table has no a.area-link`,
  );
  log(`  township ${name} (${state.township})`);
});

step('village', async ({ page }) => {
  const link = page.locator('table#children-table a.area-link').first();
  const name = (await link.innerText()).trim();
  await clickAndWaitForUrl(page, link, (u) => u.pathname.startsWith('/areas/'), `open village ${name}`);
  state.village = codeFromHref(pathOf(page));
  check(state.village, `village page URL ${page.url()} is not /areas/{code}`);
  check(contains(state.township, state.village), `village ${state.village} is not within township ${state.township}`);
  await visible(page, 'a#village-households', `link to the households of village ${name}`);
  check(
    (await page.locator('#children-table').count()) === 0,
    `village ${name}: #children-table should be absent on a village page`,
  );
  log(`  village ${name} (${state.village})`);
});

step('households', async ({ page }) => {
  await clickAndWaitForUrl(
    page,
    page.locator('a#village-households'),
    (u) => u.pathname === '/households' && u.searchParams.has('area'),
    'open the village household list (/households?area=...)',
  );
  await visible(page, 'table#households', 'household list');
  const n = await page.locator('table#households a.household-link').count();
  check(n > 0, 'table#households has no a.household-link');
  log(`  ${n} households listed at ${pathOf(page)}${new URL(page.url()).search}`);
});

step('household', async ({ page }) => {
  const link = page.locator('table#households a.household-link').first();
  const href = await link.getAttribute('href');
  const m = /\/households\/([^/?#]+)/.exec(href ?? '');
  check(m, `a.household-link href ${href} is not /households/{id}`);
  state.householdId = decodeURIComponent(m[1]);
  await clickAndWaitForUrl(page, link, (u) => u.pathname === `/households/${m[1]}`, `open household ${state.householdId}`);
  await visible(page, 'h1', 'household heading');
  const h1 = await page.locator('h1').first().innerText();
  check(h1.includes(state.householdId), `h1 "${h1}" does not contain the household number ${state.householdId}`);
  await visible(page, 'table#members', 'member table');
  const members = await page.locator('table#members tbody tr').count();
  check(members > 0, `household ${state.householdId}: table#members has no body rows`);
  log(`  household ${state.householdId}: ${members} members`);
});

step('import-report', async ({ page }) => {
  const { dir, files } = writeBadImport(state.village ?? '510304001001');
  try {
    await goto(page, '/import');
    // A file input is often styled away: attached is enough for setInputFiles.
    const input = page.locator('input#import-file[type=file]');
    await input.first().waitFor({ state: 'attached', timeout: TIMEOUT }).catch(() => {
      throw new Failure('/import: no `input#import-file[type=file]`');
    });
    await visible(page, '#import-submit', 'import button');
    check(
      await input.first().evaluate((el) => el.multiple),
      '/import: input#import-file should accept several files (`multiple`)',
    );
    await input.first().setInputFiles(files);
    await page.locator('#import-submit').click();
    await until('#import-progress or #import-report after the upload', async () =>
      (await page.locator('#import-progress').count()) + (await page.locator('#import-report').count()),
      IMPORT_TIMEOUT,
    );
    check((await page.locator('#import-progress').count()) > 0, '/import: no #import-progress after the upload');
    const report = await visible(page, '#import-report', 'import error report', IMPORT_TIMEOUT);
    const rows = await report.locator('tr').evaluateAll((trs) => trs.map((tr) => tr.innerText));
    const bad = rows.filter((r) => r.includes(BAD_STATUS));
    check(bad.length > 0, `#import-report has no row mentioning the bad status "${BAD_STATUS}": ${JSON.stringify(rows)}`);
    check(
      rows.some((r) => r.includes(UNKNOWN_VILLAGE)),
      `#import-report has no row mentioning the unknown village code ${UNKNOWN_VILLAGE}: ${JSON.stringify(rows)}`,
    );
    log(`  report: ${rows.length} rows; e.g. ${bad[0].replace(/\s+/g, ' ')}`);
    const csvLink = await visible(page, 'a#import-report-csv', 'link to the report as CSV');
    const href = await csvLink.getAttribute('href');
    check(href, 'a#import-report-csv has no href');
    let csv;
    if (/^(blob|data):/.test(href)) {
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }), csvLink.click()]);
      const path = await download.path();
      csv = readFileSync(path, 'utf8');
    } else {
      const r = await page.request.get(new URL(href, page.url()).toString());
      check(r.ok(), `GET ${href} (report CSV) answered ${r.status()}`);
      csv = await r.text();
    }
    check(csv.includes(BAD_STATUS), `the report CSV does not mention "${BAD_STATUS}": ${csv.slice(0, 300)}`);
    log(`  report CSV: ${csv.split('\n').filter(Boolean).length} lines, first: ${csv.split('\n')[0]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

step('english', async ({ page }) => {
  await goto(page, '/dashboard');
  await visible(page, 'a#lang-en', 'switch to English');
  await page.locator('a#lang-en').click();
  await until('<html lang="en"> after a#lang-en', () =>
    page.evaluate(() => document.documentElement.lang === 'en'),
  );
  await page.waitForLoadState('load');
  await until('the nav to show "Dashboard"', async () => (await page.locator('nav').first().innerText()).includes('Dashboard'));
  await until('ECharts to draw into #cause-chart (English)', () =>
    page.locator('#cause-chart canvas, #cause-chart svg').count(),
  );
});

step('chinese', async ({ page }) => {
  await visible(page, 'a#lang-zh', 'switch to Chinese');
  await page.locator('a#lang-zh').click();
  await until('<html lang="zh-CN"> after a#lang-zh', () =>
    page.evaluate(() => document.documentElement.lang === 'zh-CN'),
  );
  await page.waitForLoadState('load');
  await until('the nav to show "总览"', async () => (await page.locator('nav').first().innerText()).includes('总览'));
});

step('procedures', async ({ page }) => {
  await goto(page, '/procedures?ending=1');
  await visible(page, 'table#cases', 'the cases whose notice ends this week (the demo opens some)');
  await goto(page, '/procedures?overdue=1');
  await visible(page, 'nav.tabs a.on', 'the overdue tab');
});

step('public-notice', async ({ browser }) => {
  // The public site, on a phone, without signing in: a notice, its digest check, an objection.
  const ctx = await browser.newContext({ viewport: PHONE, locale: 'zh-CN' });
  try {
    const page = await ctx.newPage();
    watch(page, 'public');
    await goto(page, '/public/notices');
    const first = page.locator('ul#notices a').first();
    check((await first.count()) > 0, 'the demo publishes no notice');
    await clickAndWaitForUrl(page, first, /\/public\/notices\/\d+$/, 'the first notice');
    await visible(page, '#notice-check.ok', 'the check that the notice is unchanged');
    await visible(page, 'form#objection-form', 'the objection form while the notice runs');
    await page.locator('form#objection-form textarea[name=text]').fill('此户情况与公示不符（浏览器测试）');
    await page.locator('form#objection-form button[type=submit]').click();
    await page.waitForLoadState('load');
    await visible(page, '#objection-filed', 'the objection recorded');
    return await screenshot(page, 'public-notice');
  } finally {
    await ctx.close();
  }
});

step('refused', async ({ browser }) => {
  check(state.householdId, 'no household was opened before');
  const hr = await state.ctx.request.get(`${BASE_URL}/api/v1/households/${encodeURIComponent(state.householdId)}`);
  check(hr.ok(), `GET /api/v1/households/${state.householdId} as county answered ${hr.status()}`);
  const village = fullCode((await hr.json()).village_code);
  check(village, `household ${state.householdId}: no village_code in the API answer`);
  const ctx = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN' });
  try {
    const page = await ctx.newPage();
    watch(page, 'township2');
    await login(page, 'township2');
    const me = await rolesOf(ctx);
    const areas = me.roles.map((r) => fullCode(r.area)).filter(Boolean);
    const reach = areas.some((a) => contains(a, village));
    log(`  township2 reaches ${areas.join(', ')}; household ${state.householdId} is in village ${village}`);
    check(!reach, `household ${state.householdId} (village ${village}) is within township2's reach: cannot test a refusal`);
    const resp = await page.goto(`${BASE_URL}/households/${encodeURIComponent(state.householdId)}`, { waitUntil: 'load' });
    check(resp, 'no response for the refused household');
    check(resp.status() === 404, `township2 opening /households/${state.householdId} got ${resp.status()}, expected 404`);
    const text = (await page.locator('body').innerText()).trim();
    check(text.length > 0, 'the 404 page is empty');
    check((await page.locator('table#members').count()) === 0, 'the 404 page shows the household members');
    const api = await ctx.request.get(`${BASE_URL}/api/v1/households/${encodeURIComponent(state.householdId)}`);
    check(api.status() === 404, `township2: GET /api/v1/households/${state.householdId} answered ${api.status()}, expected 404`);
    log(`  refused with 404: "${text.replace(/\s+/g, ' ').slice(0, 80)}"`);
    return await screenshot(page, 'refused');
  } finally {
    await ctx.close();
  }
});

async function township2Reach() {
  // Which areas `township2` reaches, so the drill-down can pick a township outside them.
  const api = await apiRequest.newContext({ baseURL: BASE_URL });
  try {
    const r = await api.post('/api/v1/session', { data: { login: 'township2', password: PASSWORD } });
    check(r.ok(), `signing in as township2 through POST /api/v1/session answered ${r.status()}: ${await r.text()}`);
    const areas = (await r.json()).roles.map((x) => fullCode(x.area)).filter(Boolean);
    check(areas.length > 0, 'township2 has no role with an area');
    return areas;
  } finally {
    await api.dispose();
  }
}

async function main() {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const f of readdirSync(ARTIFACTS)) {
    if (/^\d\d-.*\.png$/.test(f)) rmSync(join(ARTIFACTS, f));
  }
  log(`base ${BASE_URL}, browser ${CHROMIUM}, screenshots in ${ARTIFACTS}`);
  let browser;
  let current = 'start';
  let page;
  try {
    current = 'setup';
    const township2Areas = await township2Reach();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, timeout: 60000 });
    log(`Chromium ${browser.version()}`);
    state.ctx = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN' });
    state.ctx.setDefaultTimeout(TIMEOUT);
    page = await state.ctx.newPage();
    watch(page, 'county');
    for (const [i, s] of steps.entries()) {
      current = s.name;
      log(`step ${i + 1}/${steps.length}: ${s.name}`);
      const out = await s.fn({ page, browser, township2Areas });
      if (out === undefined) await screenshot(page, s.name);
    }
    log(`passed: ${steps.length} steps, ${shotNo} screenshots in ${ARTIFACTS}`);
    if (pageErrors.length) log(`note: ${pageErrors.length} page errors (see above)`);
    return 0;
  } catch (e) {
    console.error(`\nE2E FAILED at step "${current}": ${e instanceof Failure ? e.message : e.stack ?? e}`);
    if (page) {
      try {
        console.error(`  page: ${page.url()}`);
        await screenshot(page, `FAILED-${current}`);
      } catch {
        // the page may be gone
      }
    }
    return 1;
  } finally {
    if (browser) await browser.close().catch(() => {});
  }
}

process.exitCode = await main();
