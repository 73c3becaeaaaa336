import { describe, expect, it } from 'vitest';
import { bannerSchema, countsByIdSchema, discountSchema, productListSchema, productSchema, recommendSchema, scoredProductSchema, userSchema } from './contracts.js';

/** The shapes services exchange (design.md): every field is checked, none is dropped. */

const product = { id: 7, title: 'linkerd Full-Zip Hoodie', image: '/images/7.png', price: 35, sales: 89, stock: 1007 };
const banner = { title: 'Recommended for you', image: '/images/banner.png' };

describe('the contracts between services', () => {
  it('keep every field of a product, favorites optional', () => {
    expect(productSchema.parse(product)).toEqual(product);
    expect(productSchema.parse({ ...product, favorites: 50 })).toEqual({ ...product, favorites: 50 });
    expect(productListSchema.parse([product, product])).toEqual([product, product]);
  });

  it('refuse a product missing any field or with a field of the wrong type', () => {
    for (const field of Object.keys(product)) {
      const { [field]: _, ...missing } = product as Record<string, unknown>;
      expect(productSchema.safeParse(missing).success, `without ${field}`).toBe(false);
      expect(productSchema.safeParse({ ...product, [field]: field === 'id' || field === 'price' || field === 'sales' || field === 'stock' ? '1' : 1 }).success, `${field} mistyped`).toBe(false);
    }
    expect(productSchema.safeParse({ ...product, favorites: '50' }).success).toBe(false);
    expect(productListSchema.safeParse(product).success).toBe(false);
  });

  it('keep counts by id as numbers', () => {
    expect(countsByIdSchema.parse({ '7': 98, '1': 90 })).toEqual({ '7': 98, '1': 90 });
    expect(countsByIdSchema.safeParse({ '7': 'high' }).success).toBe(false);
  });

  it('keep a recommendation’s scored products and its optional banner', () => {
    const scored = { ...product, score: 98 };
    expect(scoredProductSchema.parse(scored)).toEqual(scored);
    expect(scoredProductSchema.safeParse(product).success).toBe(false);
    expect(recommendSchema.parse({ products: [scored], banner })).toEqual({ products: [scored], banner });
    expect(recommendSchema.parse({ products: [] })).toEqual({ products: [] });
    expect(recommendSchema.safeParse({ products: [product] }).success).toBe(false);
    expect(recommendSchema.safeParse({}).success).toBe(false);
  });

  it('keep a discount’s products and its optional banner', () => {
    expect(discountSchema.parse({ products: [product], banner })).toEqual({ products: [product], banner });
    expect(discountSchema.parse({ products: [] })).toEqual({ products: [] });
    expect(discountSchema.safeParse({ products: [product], banner: { title: 'x' } }).success).toBe(false);
    expect(discountSchema.safeParse({}).success).toBe(false);
  });

  it('keep a banner’s title and image, and a user’s id, name and image', () => {
    expect(bannerSchema.parse(banner)).toEqual(banner);
    expect(bannerSchema.safeParse({ image: 'x' }).success).toBe(false);
    const user = { id: 'u1', name: 'jason', image: '/images/jason.png' };
    expect(userSchema.parse(user)).toEqual(user);
    for (const field of Object.keys(user)) {
      const { [field]: _, ...missing } = user as Record<string, unknown>;
      expect(userSchema.safeParse(missing).success, `without ${field}`).toBe(false);
      expect(userSchema.safeParse({ ...user, [field]: 1 }).success, `${field} mistyped`).toBe(false);
    }
  });
});
