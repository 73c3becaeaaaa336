import { createHash } from 'node:crypto';
import type { Banner, Product, ScoredProduct } from '@mesh-mall/kit';
import type { MallView } from './aggregate.js';
import { html, SafeHtml } from './html.js';

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:15px/1.4 system-ui,sans-serif;color:#1d2433;background:#f4f6fb}
header{display:flex;align-items:center;justify-content:space-between;gap:1rem;padding:.8rem 1.5rem;background:#0f3057;color:#fff}
header h1{margin:0;font-size:1.3rem}header form,header .who{display:flex;gap:.5rem;align-items:center}
header img{width:32px;height:32px;border-radius:50%}input,button{font:inherit;padding:.35rem .7rem;border-radius:6px;border:1px solid #9aa7bd}
button{background:#00a8cc;color:#fff;border:0;cursor:pointer}#login-error{color:#ffd166;min-height:1em}
main{max-width:1100px;margin:0 auto;padding:1rem 1.5rem}section{margin:1.5rem 0}h2{margin:.5rem 0}
.banner{display:flex;align-items:center;gap:1rem;background:#fff;border-radius:10px;overflow:hidden;margin:.5rem 0}
.banner img{height:90px}.banner strong{font-size:1.2rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:1rem}
.card{background:#fff;border-radius:10px;padding:.7rem;box-shadow:0 1px 3px #0002}.card img{width:100%;aspect-ratio:1}
.card h3{font-size:.9rem;margin:.4rem 0;min-height:2.5em}.price{font-weight:700}.muted{color:#667085;font-size:.8rem}
.stars{position:relative;display:inline-block;color:#d0d5dd;letter-spacing:2px}
.stars span{position:absolute;left:0;top:0;overflow:hidden;white-space:nowrap;color:#f5a524}
.unavailable{padding:1rem;background:#fff3cd;border-radius:10px}
footer{padding:1rem 1.5rem;color:#667085;font-size:.85rem;border-top:1px solid #d0d5dd}footer code{color:#1d2433}
`;

// Logs in or out through the JSON API, then reloads so the page is rendered (and traced) anew.
const SCRIPT = `
const form=document.getElementById('login');const error=document.getElementById('login-error');
form&&form.addEventListener('submit',async(e)=>{e.preventDefault();error.textContent='';
const r=await fetch('/api/login',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({name:form.name.value.trim()})});
if(r.ok)location.assign('/');else error.textContent=(await r.json().catch(()=>({message:'login failed'}))).message;});
const out=document.getElementById('logout');
out&&out.addEventListener('click',async()=>{await fetch('/api/logout',{method:'POST'});location.assign('/');});
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * The page's Content-Security-Policy: everything from the mall's own origin, its one inline script by hash, no
 * frames, no plugins, forms and fetches to itself only. Inline styles stay allowed: the star bars are sized by a
 * style attribute, and a style cannot run code.
 */
export const PAGE_CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'", sha256(SCRIPT)],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  objectSrc: ["'none'"],
  // The mall is served over plain http on a laptop and behind the gateway; upgrading would break its own images.
  upgradeInsecureRequests: null,
};

/** The shop page for one view: a self-contained document, no external request of any kind. */
export function renderPage(view: MallView): string {
  const { user, recommend, discount, meta } = view;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>mesh-mall</title><link rel="icon" href="/assets/favicon.svg"><style>${raw(STYLE)}</style></head>
<body>
<header><h1>mesh-mall</h1>${
    user
      ? html`<div class="who" data-testid="user"><img src="${user.image}" alt=""><span>Hi, <b>${user.name}</b></span><button id="logout" type="button">Log out</button></div>`
      : html`<form id="login" data-testid="login"><label for="name">Name</label><input id="name" name="name" required maxlength="32" pattern="[a-z0-9_\\-]{1,32}" placeholder="jason, fox, …"><button>Log in</button><span id="login-error" role="alert"></span></form>`
  }</header>
<main>
<section data-section="recommend"><h2>Recommended for you</h2>${
    recommend
      ? html`${bannerOf(recommend.banner, 'recommend')}<div class="grid">${recommend.products.map(scoredCard)}</div>`
      : unavailable('Recommendations')
  }</section>
<section data-section="discount"><h2>Discounts</h2>${
    discount
      ? html`${bannerOf(discount.banner, 'discount')}<div class="grid">${discount.products.map((p) => card(p))}</div>`
      : unavailable('Discounts')
  }</section>
</main>
<footer data-testid="footer" data-version="${meta.version}">Served by mall <b>${meta.version}</b> · user <b>${user?.name ?? 'guest'}</b> · trace ${meta.traceUrl ? html`<a href="${meta.traceUrl}"><code>${meta.traceId}</code></a>` : html`<code>${meta.traceId ?? 'none'}</code>`}</footer>
<script>${raw(SCRIPT)}</script>
</body></html>`.value;
}

function raw(text: string): SafeHtml {
  return new SafeHtml(text);
}

function bannerOf(banner: Banner | undefined, section: string): SafeHtml | undefined {
  if (!banner) return undefined;
  return html`<div class="banner" data-banner="${section}"><img src="${banner.image}" alt=""><strong>${banner.title}</strong></div>`;
}

function unavailable(what: string): SafeHtml {
  return html`<p class="unavailable" data-unavailable>${what} are unavailable right now.</p>`;
}

function scoredCard(product: ScoredProduct): SafeHtml {
  const stars = product.score / 20;
  return card(
    product,
    html`<div class="stars" title="${stars.toFixed(1)} of 5" data-score="${product.score}">★★★★★<span style="width:${product.score}%">★★★★★</span></div> <span class="muted">${stars.toFixed(1)}</span>`,
  );
}

function card(product: Product, extra?: SafeHtml): SafeHtml {
  return html`<article class="card" data-product="${product.id}"><img src="${product.image}" alt="">
<h3>${product.title}</h3><div class="price">$${product.price}</div>${extra}
<div class="muted">${product.sales} sold · ${product.stock} in stock${
    product.favorites !== undefined ? html` · <span data-favorites>♥ ${product.favorites}</span>` : undefined
  }</div></article>`;
}
