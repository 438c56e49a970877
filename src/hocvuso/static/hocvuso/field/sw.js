/*
 * Service worker of the field pages (scope /co-so/), served by the view field:service_worker,
 * which puts the list of files to keep (self.HOCVUSO_PRECACHE) and a version in front of this file.
 *
 * Pages under /co-so/: network first, the last copy seen when there is no signal, else the offline
 * page. Static files: the cached copy at once, refreshed in the background. The JSON API and every
 * POST go straight to the network: the queue (queue.js) is what keeps submissions safe offline.
 */
"use strict";

var VERSION = self.HOCVUSO_VERSION || "dev";
var PAGES = "hocvuso-field-pages-" + VERSION;
var STATIC = "hocvuso-field-static-" + VERSION;
var PRECACHE = self.HOCVUSO_PRECACHE || [];
var OFFLINE_PAGE = self.HOCVUSO_OFFLINE_PAGE || "/co-so/ngoai-tuyen/";
var SCOPE_PATH = new URL(self.registration.scope).pathname;

self.addEventListener("install", function (event) {
  event.waitUntil(
    Promise.all([
      caches.open(STATIC).then(function (cache) {
        return cache.addAll(PRECACHE);
      }),
      caches.open(PAGES).then(function (cache) {
        return cache.add(OFFLINE_PAGE);
      }),
    ]).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf("hocvuso-field-") === 0 && name !== PAGES && name !== STATIC;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

function isStatic(url) {
  return url.pathname.indexOf("/static/") === 0;
}

function pageFromNetwork(request) {
  return fetch(request).then(function (response) {
    if (response.ok && response.type === "basic") {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) {
        cache.put(request, copy);
      });
    }
    return response;
  });
}

function pageFromCache(request) {
  return caches.open(PAGES).then(function (cache) {
    return cache.match(request).then(function (hit) {
      return hit || cache.match(OFFLINE_PAGE);
    });
  });
}

function staticFile(request) {
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request).then(function (hit) {
      var refresh = fetch(request)
        .then(function (response) {
          if (response.ok) {
            cache.put(request, response.clone());
          }
          return response;
        })
        .catch(function () {
          return hit;
        });
      return hit || refresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (isStatic(url)) {
    event.respondWith(staticFile(request));
  } else if (url.pathname.indexOf(SCOPE_PATH) === 0 && request.mode === "navigate") {
    event.respondWith(
      pageFromNetwork(request).catch(function () {
        return pageFromCache(request);
      })
    );
  }
});

/* queue.js asks for the page it runs on to be kept, since that first load came before the worker. */
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "keep-page" && typeof data.url === "string") {
    var url = new URL(data.url, self.location.origin);
    if (url.origin === self.location.origin && url.pathname.indexOf(SCOPE_PATH) === 0) {
      event.waitUntil(
        caches.open(PAGES).then(function (cache) {
          return cache.add(url.pathname + url.search);
        })
      );
    }
  }
  if (data.type === "forget-pages") {
    event.waitUntil(caches.delete(PAGES));
  }
});
