// Opening the system as configured: the stores it names, and the cells it names registered.
import { Portal, type PortalOptions } from './portal.ts';
import { seedDemo } from './demo.ts';

/** What the configuration says about the stores (see gateway/config.ts and the README). */
export interface Deployment {
  storeUrl: string;
  dispatchUrl?: string;
  cellStores: Record<string, string>;
  cellCapacity: number;
  directoryCache: number;
  demo?: boolean;
}

/** Opens the portal; on a first start creates the demo (when asked), then registers the configured cells. */
export async function openDeployment(d: Deployment, log: (line: string) => void = () => {}, options: PortalOptions = {}): Promise<Portal> {
  const portal = await Portal.open(d.storeUrl, { ...options, dispatchUrl: d.dispatchUrl, cellStores: d.cellStores, directoryCache: d.directoryCache });
  try {
    if (d.demo && (await seedDemo(portal))) log('First start: created cells c1, c2 and the demo account demo / demo.');
    const added = await portal.registerConfiguredCells(d.cellCapacity);
    if (added.length) log(`Registered cells ${added.join(', ')} from CELL_STORES.`);
    return portal;
  } catch (err) {
    await portal.close();
    throw err;
  }
}
