// The overview's implementation tiers card (web/tiers.js) in real headless Chromium against
// a real postura-collector process: the organisation and every function the API answers
// for, each with its tier and every condition checked, as GET /api/v1/tiers gives them;
// then after more evidence, the card follows the API; a supplier's card covers its own
// assets. Screenshots go to
// $POSTURA_BROWSER_ARTIFACTS.
//
//   POSTURA_COLLECTOR_BIN=build/bin/postura-collector \
//   POSTURA_DASHBOARD_FIXTURE=build/bin/dashboard_fixture \
//   node tests/browser/tiers.test.mjs
//
// Exits 0 when every check passes, 1 on a failure, 77 (skipped) without Chromium.
import { join } from 'node:path';

import {
  api, apiEventually, artifacts, assert, assertEqual, fixture, runDashboardTest, sendEvidence,
  trust,
} from './harness.mjs';

// web/tiers.js's cells, restated so that changing them changes this test.
const scopeText = (t) => {
  if (t.scope !== 'organization') return `${t.scope} ${t.name}`;
  return t.name === 'the organisation' ? 'Organisation' : t.name.charAt(0).toUpperCase() + t.name.slice(1);
};
const tierText = (t) => `${t.tier} ${t.tierName}`;

// The card's rows: [{scope, tier, heading, tierText, facts, summary}].
function shownTiers(page) {
  return page.evaluate(() => [...document.querySelectorAll('[data-testid="tiers"] tbody tr')].map((tr) => ({
    scope: tr.dataset.scope,
    tier: Number(tr.dataset.tier),
    heading: tr.querySelector('th').textContent,
    tierText: tr.querySelector('[data-col="tier"]').textContent,
    facts: [...tr.querySelectorAll('[data-col="facts"] li')].map((li) => li.textContent),
    summary: tr.querySelector('[data-col="facts"] summary').textContent,
  })));
}

// The rows the page should show for an API answer.
function expectedTiers(answer) {
  return answer.tiers.map((t) => {
    const failed = t.facts.filter((f) => !f.endsWith(': yes')).length;
    return {
      scope: t.scope,
      tier: t.tier,
      heading: scopeText(t),
      tierText: tierText(t),
      facts: t.facts,
      summary: failed === 0 ? `${t.facts.length} conditions checked, all held` : `${t.facts.length} conditions checked, ${failed} not held`,
    };
  });
}

process.exitCode = await runDashboardTest('tiers', {
  body: async ({ grpc, http, outcomeIds, page, check }) => {
    await check('the overview shows the organisation and every function with its tier and conditions, as the API answers', async () => {
      await page.waitFor(() => document.querySelector('[data-testid="tiers"]')?.dataset.loaded);
      const answer = await api(http, '/api/v1/tiers');
      assert(answer.tiers.length >= 2, 'the organisation and at least one function');
      assertEqual(answer.tiers[0].scope, 'organization', 'first scope');
      assert(answer.tiers.every((t) => t.facts.length >= 3), 'every tier names the conditions it checked');
      assertEqual(await shownTiers(page), expectedTiers(answer), 'tiers');
      // The steps are a picture; the number and name are the text a screen reader reads.
      const hidden = await page.evaluate(() => [...document.querySelectorAll('[data-testid="tiers"] .tier-steps')]
        .every((s) => s.getAttribute('aria-hidden') === 'true' && s.textContent === ''));
      assert(hidden, 'the tier steps are hidden from assistive technology and carry no text');
      const caption = await page.evaluate(() => document.querySelector('[data-testid="tiers"] caption')?.textContent ?? '');
      assert(caption.startsWith('Implementation tier'), `table caption "${caption}"`);
      await page.evaluate(() => {
        document.querySelector('[data-testid="tiers"] tbody tr details')?.setAttribute('open', '');
        document.querySelector('[data-testid="tiers"]').scrollIntoView();
      });
      await page.screenshot(join(artifacts, 'tiers-overview.png'));
    });

    await check('after evidence on every applicable outcome, the card shows the facts and tiers the API now gives', async () => {
      const before = await api(http, '/api/v1/tiers');
      const items = [];
      for (const [asset, ids] of Object.entries(outcomeIds)) {
        for (const outcome of ids) items.push(`${asset}:${outcome}:1`);
      }
      await sendEvidence(grpc, items);
      const after = await apiEventually(http, '/api/v1/tiers', (a) => a.tiers[0].figures.live > before.tiers[0].figures.live, 'more live pairs');
      assertEqual(after.tiers[0].figures.live, after.tiers[0].figures.applicable, 'every pair live');
      assert(after.tiers[0].tier >= before.tiers[0].tier, 'the tier does not fall with more evidence');
      // The card asks again at most every 30 s while scores change: reload to see it at once.
      await page.evaluate(() => location.reload());
      await page.waitFor((fact) => [...document.querySelectorAll('[data-testid="tiers"] tbody tr:first-child li')]
        .some((li) => li.textContent === fact), [after.tiers[0].facts[0]]);
      assertEqual(await shownTiers(page), expectedTiers(await api(http, '/api/v1/tiers')), 'tiers after the evidence');
      await page.evaluate(() => document.querySelector('[data-testid="tiers"]').scrollIntoView());
      await page.screenshot(join(artifacts, 'tiers-after.png'));
    });

    await check('a supplier\'s card covers its own assets, as the API answers that supplier', async () => {
      const supplierToken = (await fixture('token', trust.dataDir, grpc, 'supplier', 'hoster')).trim();
      const me = await api(http, '/api/v1/whoami', supplierToken);
      await page.goto('about:blank');
      await page.goto(`https://${http}/#token=${encodeURIComponent(supplierToken)}`);
      // With the admin's session open the page asks before switching.
      const outcome = await page.waitFor((id) => {
        if (document.querySelector('[data-testid="switch-session"]')?.open) return 'asked';
        return document.querySelector('[data-testid="session-owner"]')?.dataset.credential === id ? 'signed-in' : false;
      }, [me.id]);
      if (outcome === 'asked') await page.click('[data-testid="switch-session-confirm"]');
      await page.waitFor((id) => document.querySelector('[data-testid="session-owner"]')?.dataset.credential === id &&
        !document.querySelector('[data-testid="switch-session"]'), [me.id]);
      const own = await api(http, '/api/v1/tiers', supplierToken);
      const all = await api(http, '/api/v1/tiers');
      assert(own.tiers[0].name.startsWith('the assets of '), `supplier scope name "${own.tiers[0].name}"`);
      assert(own.tiers[0].figures.assets < all.tiers[0].figures.assets, 'the supplier sees fewer assets than the organisation');
      await page.waitFor((fact) => [...document.querySelectorAll('[data-testid="tiers"] tbody tr:first-child li')]
        .some((li) => li.textContent === fact), [own.tiers[0].facts[0]]);
      const shown = await shownTiers(page);
      assertEqual(shown, expectedTiers(own), 'the supplier\'s tiers');
      assertEqual(shown[0].heading, `The assets of ${own.tiers[0].name.slice('the assets of '.length)}`, 'the supplier\'s first row');
      await page.evaluate(() => document.querySelector('[data-testid="tiers"]').scrollIntoView());
      await page.screenshot(join(artifacts, 'tiers-supplier.png'));
    });
  },
});
