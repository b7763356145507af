// Anbao's service worker: keeps the emergency plans (and only them, with the assets they use) for a phone with no
// network. Pages are fetched from the network first; the copy kept is used only when the network fails. A sign-out
// clears it (Clear-Site-Data).
var CACHE = 'anbao-plans-__VERSION__';
var URLS = __URLS__;

function keep(cache, path, response) {
  if (response && response.ok && !response.redirected && response.type === 'basic') {
    return cache.put(path, response);
  }
}

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(URLS.map(function (u) {
      return fetch(u, { credentials: 'same-origin', redirect: 'manual' }).then(function (r) { return keep(cache, u, r); })
        .catch(function () {});
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf('anbao-plans-') === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener('fetch', function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  var p = url.pathname;
  if (!(p === '/plans' || p.indexOf('/plans/') === 0 || p === '/static/app.css' || p === '/static/plans.js')) return;
  event.respondWith(fetch(event.request).then(function (r) {
    var copy = r.clone();
    caches.open(CACHE).then(function (cache) { return keep(cache, p, copy); });
    return r;
  }).catch(function () {
    return caches.match(p).then(function (hit) {
      return hit || new Response('离线，且本页未曾在本机打开过 / offline, and this page was never opened here',
        { status: 503, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
    });
  }));
});
