import { z } from 'zod';

/** The shapes services exchange (design.md), validated by each caller at the boundary. */

export const productSchema = z.object({
  id: z.number(),
  title: z.string(),
  image: z.string(),
  price: z.number(),
  sales: z.number(),
  stock: z.number(),
  favorites: z.number().optional(),
});
export type Product = z.infer<typeof productSchema>;

export const productListSchema = z.array(productSchema);

/** `{"7":98}` from scores, `{"1":90}` from favorites. */
export const countsByIdSchema = z.record(z.string(), z.number());

export const bannerSchema = z.object({ title: z.string(), image: z.string() });
export type Banner = z.infer<typeof bannerSchema>;

export const scoredProductSchema = productSchema.extend({ score: z.number() });
export type ScoredProduct = z.infer<typeof scoredProductSchema>;

export const recommendSchema = z.object({ products: z.array(scoredProductSchema), banner: bannerSchema.optional() });
export type Recommendation = z.infer<typeof recommendSchema>;

export const discountSchema = z.object({ products: z.array(productSchema), banner: bannerSchema.optional() });
export type Discount = z.infer<typeof discountSchema>;

export const userSchema = z.object({ id: z.string(), name: z.string(), image: z.string() });
export type User = z.infer<typeof userSchema>;
