/*
 * The field queue: a visit form marked data-offline-queue is kept on the phone (IndexedDB) with an
 * id made on the device, then sent through the sync API whenever there is signal. A resend of the
 * same item is answered "duplicate" by the server, so nothing is recorded twice.
 *
 * Markup it works with (templates/field/offline/queue.html and the visit form):
 *   <form data-offline-queue="visit" data-channel="door" data-household="12" data-label="…">
 *   <section id="offline-queue" data-sync-url data-token-url data-user data-msg-…>
 * No inline script: the page only includes this file.
 */
(function () {
  "use strict";

  var panel = document.getElementById("offline-queue");
  if (!panel || !("indexedDB" in window) || !window.fetch || !window.Promise) {
    return;
  }
  var DB_NAME = "hocvuso-field";
  var RETRY_MIN = 2000;
  var RETRY_MAX = 5 * 60 * 1000;
  var msg = panel.dataset;
  var countEl = panel.querySelector("[data-queue-count]");
  var listEl = panel.querySelector("[data-queue-list]");
  var signalEl = panel.querySelector("[data-queue-signal]");
  var sendButton = panel.querySelector("[data-queue-send]");
  var retryDelay = RETRY_MIN;
  var retryTimer = null;
  var syncing = null;

  /* ---- IndexedDB -------------------------------------------------------------------------- */

  var dbPromise = new Promise(function (resolve, reject) {
    var open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = function () {
      var db = open.result;
      db.createObjectStore("queue", { keyPath: "client_id" });
      db.createObjectStore("meta", { keyPath: "key" });
    };
    open.onsuccess = function () {
      resolve(open.result);
    };
    open.onerror = function () {
      reject(open.error);
    };
  });

  function tx(store, mode, work) {
    return dbPromise.then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode);
        var result = work(t.objectStore(store));
        t.oncomplete = function () {
          resolve(result && "result" in result ? result.result : result);
        };
        t.onerror = function () {
          reject(t.error);
        };
      });
    });
  }

  function allItems() {
    return tx("queue", "readonly", function (s) {
      return s.getAll();
    }).then(function (items) {
      return items.sort(function (a, b) {
        return a.queued_at < b.queued_at ? -1 : 1;
      });
    });
  }

  function putItem(item) {
    return tx("queue", "readwrite", function (s) {
      s.put(item);
    });
  }

  function deleteItem(clientId) {
    return tx("queue", "readwrite", function (s) {
      s.delete(clientId);
    });
  }

  function getMeta(key) {
    return tx("meta", "readonly", function (s) {
      return s.get(key);
    });
  }

  function setMeta(value) {
    return tx("meta", "readwrite", function (s) {
      s.put(value);
    });
  }

  /* ---- Ids made on the device ------------------------------------------------------------- */

  function uuid4() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) {
      return (x + 0x100).toString(16).slice(1);
    });
    return [h.slice(0, 4), h.slice(4, 6), h.slice(6, 8), h.slice(8, 10), h.slice(10)]
      .map(function (part) {
        return part.join("");
      })
      .join("-");
  }

  /* ---- The list on screen ----------------------------------------------------------------- */

  function text(tag, content, className) {
    var el = document.createElement(tag);
    el.textContent = content;
    if (className) {
      el.className = className;
    }
    return el;
  }

  function conflictTable(conflict) {
    var table = document.createElement("table");
    var head = document.createElement("tr");
    head.appendChild(text("th", msg.msgField));
    head.appendChild(text("th", msg.msgDevice));
    head.appendChild(text("th", msg.msgServer));
    table.appendChild(head);
    Object.keys(conflict.device_values).forEach(function (name) {
      var row = document.createElement("tr");
      row.appendChild(text("th", name));
      row.appendChild(text("td", String(conflict.device_values[name])));
      row.appendChild(text("td", String(conflict.server_values[name] === undefined ? "" : conflict.server_values[name])));
      table.appendChild(row);
    });
    return table;
  }

  function render() {
    return allItems().then(function (items) {
      var waiting = items.filter(function (item) {
        return item.state === "waiting";
      });
      countEl.textContent = msg.msgCount.replace("{n}", waiting.length);
      panel.classList.toggle("has-waiting", waiting.length > 0);
      listEl.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.className = "queue-item queue-" + item.state;
        li.dataset.clientId = item.client_id;
        li.appendChild(text("span", item.label, "queue-label"));
        if (item.state === "waiting") {
          li.appendChild(text("span", msg.msgWaiting, "queue-state"));
        } else {
          var reason = item.state === "conflict" ? msg.msgConflict : msg.msgRejected;
          li.appendChild(text("span", reason + " " + (item.reason || ""), "queue-state"));
          if (item.conflict) {
            li.appendChild(conflictTable(item.conflict));
          }
          var remove = text("button", msg.msgRemove, "button-secondary");
          remove.type = "button";
          remove.dataset.remove = item.client_id;
          li.appendChild(remove);
        }
        listEl.appendChild(li);
      });
      sendButton.hidden = waiting.length === 0;
    });
  }

  function showSignal() {
    signalEl.textContent = navigator.onLine ? msg.msgOnline : msg.msgOffline;
    panel.classList.toggle("is-offline", !navigator.onLine);
  }

  /* ---- Token for the API ------------------------------------------------------------------ */

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function fetchToken() {
    return fetch(msg.tokenUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ device_name: navigator.userAgent.slice(0, 90) }),
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("token " + response.status);
      }
      return response.json().then(function (data) {
        var stored = { key: "token", user: msg.user, token: data.token };
        return setMeta(stored).then(function () {
          return stored;
        });
      });
    });
  }

  /* The token of the member signed in on this page; a token of someone else on this phone is replaced. */
  function token() {
    return getMeta("token").then(function (stored) {
      if (stored && stored.user === msg.user) {
        return stored;
      }
      return fetchToken();
    });
  }

  /* ---- Sending ---------------------------------------------------------------------------- */

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(sync, retryDelay);
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX);
  }

  function send(items, stored, retried) {
    return fetch(msg.syncUrl, {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + stored.token },
      body: JSON.stringify({
        items: items.map(function (item) {
          return {
            client_id: item.client_id,
            type: item.type,
            payload: item.payload,
            base_version: item.base_version,
          };
        }),
      }),
    }).then(function (response) {
      if (response.status === 401 && !retried) {
        return setMeta({ key: "token", user: "", token: "" })
          .then(fetchToken)
          .then(function (fresh) {
            return send(items, fresh, true);
          });
      }
      if (!response.ok) {
        throw new Error("sync " + response.status);
      }
      return response.json();
    });
  }

  function settle(items, answer) {
    var byId = {};
    items.forEach(function (item) {
      byId[item.client_id] = item;
    });
    return Promise.all(
      answer.results.map(function (result) {
        var item = byId[result.client_id];
        if (!item) {
          return null;
        }
        if (result.status === "applied" || result.status === "duplicate") {
          return deleteItem(item.client_id);
        }
        item.state = result.status === "conflict" ? "conflict" : "rejected";
        item.reason = result.reason;
        item.conflict = result.conflict;
        return putItem(item);
      })
    );
  }

  function sync() {
    if (syncing) {
      return syncing;
    }
    if (!navigator.onLine) {
      return Promise.resolve();
    }
    syncing = allItems()
      .then(function (items) {
        var waiting = items.filter(function (item) {
          return item.state === "waiting";
        });
        if (!waiting.length) {
          return null;
        }
        return token().then(function (stored) {
          return send(waiting, stored, false).then(function (answer) {
            return settle(waiting, answer);
          });
        });
      })
      .then(function () {
        retryDelay = RETRY_MIN;
        panel.dataset.lastSync = new Date().toISOString();
      })
      .catch(function () {
        scheduleRetry();
      })
      .then(function () {
        syncing = null;
        return render();
      });
    return syncing;
  }

  /* ---- The visit form --------------------------------------------------------------------- */

  function visitPayload(form) {
    var data = new FormData(form);
    var number = function (name) {
      return parseInt(data.get(name) || "0", 10) || 0;
    };
    var milestones = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      var match = /^milestones_(\d+)$/.exec(el.name || "");
      if (match && el.checked) {
        (milestones[match[1]] = milestones[match[1]] || []).push(el.value);
      }
    });
    return {
      visited_on: data.get("visited_on"),
      channel: form.dataset.channel || "door",
      household_id: form.dataset.household ? parseInt(form.dataset.household, 10) : null,
      team_id: form.dataset.team ? parseInt(form.dataset.team, 10) : null,
      resident_ids: data.getAll("residents").map(function (v) {
        return parseInt(v, 10);
      }),
      activities: data.get("activities") || "",
      milestones: milestones,
      problems_received: number("problems_received"),
      problems_resolved: number("problems_resolved"),
      problems_forwarded: number("problems_forwarded"),
      note: data.get("note") || "",
    };
  }

  function dayMonthYear(iso) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return parts ? parts[3] + "/" + parts[2] + "/" + parts[1] : iso || "";
  }

  function queueVisit(form) {
    var payload = visitPayload(form);
    var people = payload.resident_ids.length;
    var item = {
      client_id: form.elements.client_id.value,
      type: "visit",
      payload: payload,
      base_version: null,
      label: [form.dataset.label || "", dayMonthYear(payload.visited_on), msg.msgPeople.replace("{n}", people)].join(" — "),
      state: "waiting",
      queued_at: new Date().toISOString(),
    };
    return putItem(item).then(function () {
      // The next visit typed on this page is a new one: it gets its own id.
      var keepDate = payload.visited_on;
      form.reset();
      if (form.elements.visited_on) {
        form.elements.visited_on.value = keepDate;
      }
      form.elements.client_id.value = uuid4();
      return render();
    });
  }

  /* A page kept by the service worker shows the id it was rendered with: each form on screen gets a
   * fresh one made here, and a double tap sends the same id twice, which the queue keeps once. */
  var forms = document.querySelectorAll("form[data-offline-queue=visit]");
  Array.prototype.forEach.call(forms, function (form) {
    if (!form.elements.client_id) {
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "client_id";
      form.appendChild(hidden);
    }
    form.elements.client_id.value = uuid4();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-offline-queue=visit]")) {
      return;
    }
    if (!form.checkValidity()) {
      return;
    }
    event.preventDefault();
    queueVisit(form).then(sync);
  });

  listEl.addEventListener("click", function (event) {
    var id = event.target.dataset && event.target.dataset.remove;
    if (id) {
      deleteItem(id).then(render);
    }
  });

  sendButton.addEventListener("click", function () {
    retryDelay = RETRY_MIN;
    sync();
  });

  window.addEventListener("online", function () {
    showSignal();
    retryDelay = RETRY_MIN;
    sync();
  });
  window.addEventListener("offline", showSignal);

  /* ---- Service worker --------------------------------------------------------------------- */

  if ("serviceWorker" in navigator && msg.workerUrl) {
    navigator.serviceWorker
      .register(msg.workerUrl)
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        registration.active.postMessage({ type: "keep-page", url: location.pathname + location.search });
        panel.dataset.workerReady = "true";
      })
      .catch(function () {
        panel.dataset.workerReady = "false";
      });
  }

  // For the browser test and for support staff: what is waiting, and a way to send it now.
  window.hocvusoFieldQueue = { items: allItems, put: putItem, sync: sync };

  panel.hidden = false;
  showSignal();
  render().then(function () {
    if (navigator.onLine) {
      token().catch(function () {});
      sync();
    }
  });
})();
