// The asset list: one row per asset, sortable by any column, filtered by a search box,
// updated row by row as score events arrive.
import { chip } from './charts.js';
import { h, replaceChildren } from './dom.js';
import { formatPercent } from './format.js';

const COLUMNS = [
  { key: 'asset', label: 'Asset', sort: (a) => (a.name || a.assetId).toLowerCase() },
  { key: 'ig', label: 'IG', sort: (a) => a.implementationGroup },
  { key: 'department', label: 'Department', sort: (a, names) => names.department(a.departmentId).toLowerCase() },
  { key: 'supplier', label: 'Supplier', sort: (a, names) => names.supplier(a.supplierId).toLowerCase() },
  { key: 'value', label: 'Value', numeric: true, sort: (a) => a.value },
  { key: 'adjusted', label: 'Adjusted', numeric: true, sort: (a) => a.adjustedValue },
  { key: 'coverage', label: 'Coverage', numeric: true, sort: (a) => a.coverage },
  { key: 'targets', label: 'Targets', sort: (a) => (a.targetCount === 0 ? 2 : a.targetsMet ? 1 : 0) },
];

function targetsBadge(asset) {
  if (asset.targetCount === 0) return h('span', { class: 'badge badge-neutral', title: 'No targets registered' }, 'none');
  const count = `${asset.targetCount} target${asset.targetCount === 1 ? '' : 's'}`;
  return asset.targetsMet
    ? h('span', { class: 'badge badge-ok', title: `${count}, all met` }, '✓ met')
    : h('span', { class: 'badge badge-bad', title: `${count}, not all met (target coverage ${formatPercent(asset.targetCoverage)})` }, '✗ not met');
}

export class AssetTable {
  // `names` maps department and supplier ids to names; `onOpen(assetId)` opens an asset.
  constructor(root, names, onOpen) {
    this.names = names;
    this.onOpen = onOpen;
    this.sortKey = 'asset';
    this.ascending = true;
    this.filterText = '';
    this.assets = new Map();
    this.rows = new Map();  // Asset id -> its <tr>, while shown.
    this.filter = h('input', {
      type: 'search', id: 'asset-filter', placeholder: 'Name, id, department, supplier, IG…', autocomplete: 'off',
      oninput: () => { this.filterText = this.filter.value.trim().toLowerCase(); this.render(); },
    });
    this.count = h('span', { class: 'muted', 'aria-live': 'polite', 'data-testid': 'asset-count' });
    this.headRow = h('tr');
    this.body = h('tbody');
    replaceChildren(root,
      h('h1', { class: 'view-title' }, 'Assets'),
      h('div', { class: 'toolbar' },
        h('label', { for: 'asset-filter' }, 'Filter'), this.filter, this.count),
      h('div', { class: 'table-wrap card card-flush' },
        h('table', { class: 'assets', 'data-testid': 'asset-table' },
          h('caption', { class: 'visually-hidden' }, 'Assets with their values, coverage and targets. Select a column heading to sort.'),
          h('thead', {}, this.headRow), this.body)));
    this.renderHead();
  }

  // Replaces every asset (from GET /api/v1/assets).
  setAll(summaries) {
    this.assets = new Map(summaries.map((a) => [a.assetId, a]));
    this.render();
  }

  // Applies new summaries and removes assets with one re-render, and briefly highlights
  // the rows whose content changed.
  update(summaries, removedIds) {
    for (const summary of summaries) this.assets.set(summary.assetId, summary);
    for (const id of removedIds) this.assets.delete(id);
    const changed = this.render();
    // A hidden table does not flash: the animation would replay when it is next shown.
    if (this.body.offsetParent === null) return;
    for (const summary of summaries) {
      const row = this.rows.get(summary.assetId);
      if (!row || !changed.has(row)) continue;
      row.classList.remove('flash');
      void row.offsetWidth;  // Restarts the animation.
      row.classList.add('flash');
    }
  }

  renderHead() {
    replaceChildren(this.headRow, COLUMNS.map((column) => {
      const sorted = this.sortKey === column.key;
      return h('th', { scope: 'col', class: column.numeric ? 'num' : null, 'aria-sort': sorted ? (this.ascending ? 'ascending' : 'descending') : 'none' },
        h('button', { type: 'button', class: 'sort', dataset: { sort: column.key }, onclick: () => this.sortBy(column.key) },
          column.label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, sorted ? (this.ascending ? ' ▲' : ' ▼') : '')));
    }));
  }

  sortBy(key) {
    this.ascending = this.sortKey === key ? !this.ascending : true;
    this.sortKey = key;
    this.renderHead();
    this.render();
  }

  matches(asset) {
    if (!this.filterText) return true;
    const text = [asset.assetId, asset.name, asset.implementationGroup, this.names.department(asset.departmentId), this.names.supplier(asset.supplierId)]
      .join(' ').toLowerCase();
    return text.includes(this.filterText);
  }

  // Shows the matching assets in order; returns the rows whose cells changed.
  render() {
    const changed = new Set();
    const column = COLUMNS.find((c) => c.key === this.sortKey);
    const direction = this.ascending ? 1 : -1;
    const shown = [...this.assets.values()].filter((a) => this.matches(a)).sort((a, b) => {
      const x = column.sort(a, this.names), y = column.sort(b, this.names);
      if (x < y) return -direction;
      if (x > y) return direction;
      return a.assetId.localeCompare(b.assetId);
    });
    this.count.textContent = `${shown.length} of ${this.assets.size} asset${this.assets.size === 1 ? '' : 's'}`;
    if (shown.length === 0) {
      this.rows.clear();
      replaceChildren(this.body, h('tr', {}, h('td', { colspan: COLUMNS.length, class: 'muted empty' },
        this.assets.size === 0 ? 'No assets registered yet.' : 'No asset matches the filter.')));
      return changed;
    }
    // Rows and cells are updated in place and moved only when the order changes, so that
    // a live update never swaps the element under the reader's pointer or focus.
    const wanted = new Set(shown.map((a) => a.assetId));
    for (const [id, row] of this.rows) {
      if (!wanted.has(id)) {
        row.remove();
        this.rows.delete(id);
      }
    }
    for (const child of [...this.body.children]) if (!child.dataset.assetId) child.remove();
    shown.forEach((asset, i) => {
      let row = this.rows.get(asset.assetId);
      if (!row) {
        row = this.newRow(asset.assetId);
        this.rows.set(asset.assetId, row);
      }
      if (this.fillRow(row, asset)) changed.add(row);
      if (this.body.children[i] !== row) this.body.insertBefore(row, this.body.children[i] ?? null);
    });
    return changed;
  }

  newRow(assetId) {
    return h('tr', {
      dataset: { assetId }, class: 'clickable',
      onclick: (event) => { if (!event.target.closest('a')) this.onOpen(assetId); },
      onanimationend: (event) => event.currentTarget.classList.remove('flash'),
    },
      CELLS.map((cell) => h('td', { 'data-col': cell.col, class: cell.numeric ? 'num' : null })));
  }

  // Rewrites the cells of `row` whose content changed; true if any did.
  fillRow(row, asset) {
    let changed = false;
    CELLS.forEach((cell, i) => {
      const td = row.children[i];
      const key = JSON.stringify(cell.key(asset, this.names));
      if (td.dataset.key === key) return;
      td.dataset.key = key;
      replaceChildren(td, cell.render(asset, this.names));
      changed = true;
    });
    return changed;
  }
}

const href = (id) => `#/asset/${encodeURIComponent(id)}`;
const limitingId = (a) => (a.limitingAssetId && a.limitingAssetId !== a.assetId ? a.limitingAssetId : '');

// The cells of a row: what they show (`key`) and how.
const CELLS = [
  { col: 'asset', key: (a) => [a.assetId, a.name],
    render: (a) => [h('a', { href: href(a.assetId), class: 'asset-name' }, a.name || a.assetId), h('div', { class: 'muted small mono' }, a.assetId)] },
  { col: 'ig', key: (a) => a.implementationGroup, render: (a) => h('span', { class: 'ig' }, a.implementationGroup) },
  { col: 'department', key: (a, names) => names.department(a.departmentId),
    render: (a, names) => names.department(a.departmentId) || h('span', { class: 'muted' }, '—') },
  { col: 'supplier', key: (a, names) => names.supplier(a.supplierId),
    render: (a, names) => names.supplier(a.supplierId) || h('span', { class: 'muted' }, 'in-house') },
  { col: 'value', numeric: true, key: (a) => a.value, render: (a) => chip(a.value) },
  { col: 'adjusted', numeric: true, key: (a, names) => [a.adjustedValue, limitingId(a), names.asset(limitingId(a))],
    render: (a, names) => [chip(a.adjustedValue), limitingId(a)
      ? h('div', { class: 'muted small limited' }, 'limited by ', h('a', { href: href(limitingId(a)) }, names.asset(limitingId(a))))
      : null] },
  { col: 'coverage', numeric: true, key: (a) => a.coverage, render: (a) => h('span', { class: 'coverage' }, formatPercent(a.coverage)) },
  { col: 'targets', key: (a) => [a.targetCount, a.targetsMet, a.targetCoverage], render: (a) => targetsBadge(a) },
];
