import { HttpError, parseWith, setPropagatedHeader, userNameSchema, userSchema } from '@mesh-mall/kit';
import { expressApp } from '@mesh-mall/kit/express';
import { trace } from '@opentelemetry/api';
import { parseCookie } from 'cookie';
import type { Express, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { loadMall, type MallDeps } from './aggregate.js';
import { avatarSvg, bannerSvg, FAVICON_SVG, productSvg } from './assets.js';
import { PAGE_CSP_DIRECTIVES, renderPage } from './page.js';

const USER_COOKIE = 'user';
const COOKIE_MAX_AGE_MS = 30 * 24 * 3600 * 1000;
const loginBody = z.object({ name: userNameSchema }, { error: 'body must be a JSON object {"name": "..."}' });

/**
 * The shop. Who is shopping comes from cookie `user` (set at login) or, for API callers and the gateway, an inbound
 * `end-user` header; it leaves as `end-user` on every downstream call, which is what lane routing matches.
 */
export function buildApp(deps: MallDeps): Express {
  return expressApp(deps.logger, (app) => {
    app.use(identifyShopper);

    app.get(['/', '/login'], async (_req, res) => {
      const view = await loadMall(deps, shopperOf(res));
      res.type('html').set('cache-control', 'no-store').send(renderPage(view));
    });

    app.get('/api/mall', async (_req, res) => {
      res.set('cache-control', 'no-store').json(await loadMall(deps, shopperOf(res)));
    });

    app.post('/api/login', async (req, res) => {
      const { name } = parseWith(loginBody, req.body);
      setPropagatedHeader('end-user', name);
      const user = await deps.users.call('POST', '/users', { body: { name }, schema: userSchema });
      res
        .cookie(USER_COOKIE, name, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: COOKIE_MAX_AGE_MS })
        .json({ user });
    });

    app.post('/api/logout', (_req, res) => {
      res.clearCookie(USER_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/' }).json({ user: null });
    });

    app.get('/assets/:folder/:file', (req, res) => {
      const svg = assetFor(req.params.folder!, req.params.file!);
      if (svg === undefined) throw new HttpError(404, `no asset ${req.params.folder}/${req.params.file}`);
      res.type('image/svg+xml').set('cache-control', 'public, max-age=86400').send(svg);
    });
    app.get('/assets/favicon.svg', (_req, res) => {
      res.type('image/svg+xml').set('cache-control', 'public, max-age=86400').send(FAVICON_SVG);
    });
  }, { securityHeaders: { contentSecurityPolicy: { directives: PAGE_CSP_DIRECTIVES } } });
}

const identifyShopper: RequestHandler = (req, res, next) => {
  const name = validName(cookieOf(req)) ?? validName(req.get('end-user'));
  res.locals.shopper = name;
  setPropagatedHeader('end-user', name);
  if (name) trace.getActiveSpan()?.setAttribute('user.id', name);
  next();
};

function shopperOf(res: Response): string | undefined {
  return res.locals.shopper as string | undefined;
}

function cookieOf(req: Request): string | undefined {
  return req.headers.cookie ? parseCookie(req.headers.cookie)[USER_COOKIE] : undefined;
}

/** A cookie or header that is not a valid name is treated as no name: the shopper is a guest. */
function validName(candidate: string | undefined): string | undefined {
  return candidate !== undefined && userNameSchema.safeParse(candidate).success ? candidate : undefined;
}

function assetFor(folder: string, file: string): string | undefined {
  const match = /^([a-z0-9_-]{1,32})\.svg$/.exec(file);
  if (!match) return undefined;
  const stem = match[1]!;
  switch (folder) {
    case 'products':
      return /^\d+$/.test(stem) ? productSvg(Number(stem)) : undefined;
    case 'banners':
      return bannerSvg(stem);
    case 'avatars':
      return avatarSvg(stem);
    default:
      return undefined;
  }
}
