import { escapeHtml } from './html.js';

/**
 * The mall's own images, drawn as SVG so the page needs no CDN (talks happen on bad wifi): one picture per kind of
 * product, the two lane banners, an avatar per user name.
 */

const PRODUCT_KIND: Record<number, 'bottle' | 'socks' | 'tee' | 'hoodie' | 'decal'> = {
  1: 'bottle', 2: 'socks', 3: 'tee', 4: 'hoodie', 5: 'decal', 6: 'tee', 7: 'hoodie', 8: 'tee',
  9: 'socks', 10: 'tee', 11: 'tee', 12: 'decal', 13: 'hoodie', 14: 'socks', 15: 'bottle',
};

const SHAPES = {
  bottle: '<rect x="80" y="30" width="40" height="25" rx="4"/><rect x="65" y="55" width="70" height="120" rx="18"/>',
  socks: '<path d="M70 30h40v90l30 25a18 18 0 0 1-20 30l-50-35z"/>',
  tee: '<path d="M60 40l25-12h30l25 12 30 30-22 20-13-12v92H65V78L52 90 30 70z"/>',
  hoodie: '<path d="M60 45l22-20h36l22 20 28 45-20 12-10-18v96H60V84l-10 18-20-12z"/><circle cx="100" cy="40" r="14" fill="#0002"/>',
  decal: '<circle cx="100" cy="100" r="60"/><circle cx="100" cy="100" r="28" fill="#fff6"/>',
} as const;

const PALETTE = ['#0f7b8a', '#e76f51', '#2a9d8f', '#6d597a', '#e9c46a', '#264653', '#f4a261', '#457b9d'];

function colorFor(key: string): string {
  let hash = 0;
  for (const char of key) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length]!;
}

export function productSvg(id: number): string | undefined {
  const kind = PRODUCT_KIND[id];
  if (!kind) return undefined;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200"><rect width="200" height="200" fill="#eef2f7"/><g fill="${colorFor(String(id))}">${SHAPES[kind]}</g><text x="186" y="190" font-family="sans-serif" font-size="16" text-anchor="end" fill="#5a6478">#${id}</text></svg>`;
}

const BANNERS: Record<string, { text: string; color: string }> = {
  recommend: { text: 'JASON’S PICKS', color: '#6d597a' },
  discount: { text: 'FOX’S FLASH SALE', color: '#e76f51' },
};

export function bannerSvg(name: string): string | undefined {
  const banner = BANNERS[name];
  if (!banner) return undefined;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 360 90"><rect width="360" height="90" fill="${banner.color}"/><text x="20" y="56" font-family="sans-serif" font-size="28" font-weight="700" fill="#fff">${banner.text}</text></svg>`;
}

/** Any name the shop accepts gets an avatar: its initial on a colour derived from it. */
export function avatarSvg(name: string): string {
  const initial = escapeHtml(name.charAt(0).toUpperCase());
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><circle cx="32" cy="32" r="32" fill="${colorFor(name)}"/><text x="32" y="42" font-family="sans-serif" font-size="28" text-anchor="middle" fill="#fff">${initial}</text></svg>`;
}

export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0f3057"/><path d="M8 12h16l-2 12H10z" fill="#00a8cc"/></svg>`;
