// Where each store of a deployment lives, derived from one base URL:
// `sqlite:/dir` → one file per store in /dir; `mysql://…/base` → one database per store, `base_<name>`.
export function storeUrlFor(base: string, name: string): string {
  if (base.startsWith('sqlite:')) return `sqlite:${base.slice('sqlite:'.length).replace(/\/+$/, '')}/${name}.sqlite`;
  if (base.startsWith('mysql:')) {
    const url = new URL(base);
    url.pathname = `/${url.pathname.replace(/^\//, '') || 'gateway'}_${name}`;
    return url.toString();
  }
  throw new Error(`STORE_URL must start with sqlite: or mysql:, not "${base}"`);
}
