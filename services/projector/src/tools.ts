/**
 * The projector's operator tools, for `scripts/` (which reach packages only through the services):
 * rebuilding from a terminal, and generating or seeding a province of demo data.
 */
export { createSqlEventStore, openEventStore } from '@gongguan/event-store';
export { allProjections, ensureReadModels, projectionNamed, readCatalogue, rebuildProjections, type RebuildProgress } from '@gongguan/projections';
export { demoProvince, fullProvince, generateProvince, loadProvince, provinceDivisions, type ProvinceOptions } from '@gongguan/projections/generate';
