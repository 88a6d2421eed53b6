// The sign form's proof-of-work challenge (ALTCHA's protocol; the server side
// is standwith/shield/challenge.py). Once a person starts filling in the form,
// fetch a challenge of their own and solve it in the background, in Web
// Workers running ALTCHA's solver, then put the answer in the form's hidden
// field. Readers who never sign never solve anything. If the person presses
// Sign before the answer is ready, the form says so, waits, and sends itself.
// Anything going wrong sends the form without an answer: the server takes it
// whenever the petition's shields are down, and explains itself otherwise.
(function () {
  "use strict";
  var field = document.querySelector("input[data-challenge]");
  if (!field || !window.Worker || !window.fetch || !window.crypto || !window.crypto.subtle) return;
  var form = field.form;
  var status = form.querySelector("[data-challenge-status]");
  var workerUrl = field.getAttribute("data-worker");
  // Fetch a new challenge rather than send one that runs out within this margin.
  var MARGIN_MS = 30000;
  var solving = null; // the Promise of the current answer, once asked for
  var expiresAt = 0; // when the answer in the field stops being accepted, in ms
  var sending = false;

  function fetchChallenge() {
    return fetch(field.getAttribute("data-challenge"), { credentials: "omit", cache: "no-store" }).then(
      function (response) {
        if (!response.ok) throw new Error("challenge: HTTP " + response.status);
        return response.json();
      }
    );
  }

  // Each worker tries every n-th counter; the first answer found stops them all.
  function solve(challenge) {
    var count = Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2));
    var workers = [];
    function stop() {
      workers.forEach(function (worker) {
        worker.terminate();
      });
    }
    return new Promise(function (resolve, reject) {
      var unanswered = count;
      for (var i = 0; i < count; i++) {
        var worker = new Worker(workerUrl);
        workers.push(worker);
        worker.onerror = reject;
        worker.onmessage = function (message) {
          if (message.data && message.data.derivedKey) resolve(message.data);
          else if (--unanswered === 0) reject(new Error("challenge: no answer found"));
        };
        worker.postMessage({
          type: "work",
          challenge: challenge,
          counterMode: "uint32",
          counterStart: i,
          counterStep: count,
          timeout: 90000,
        });
      }
    }).then(
      function (solution) {
        stop();
        return solution;
      },
      function (error) {
        stop();
        throw error;
      }
    );
  }

  function answer() {
    if (!solving) {
      field.value = "";
      solving = fetchChallenge()
        .then(function (challenge) {
          return solve(challenge).then(function (solution) {
            field.value = btoa(JSON.stringify({ challenge: challenge, solution: solution }));
            expiresAt = challenge.parameters.expiresAt * 1000;
          });
        })
        .catch(function () {
          field.value = "";
          solving = null; // ask again next time
        });
    }
    return solving;
  }

  function fresh() {
    return field.value !== "" && expiresAt - Date.now() > MARGIN_MS;
  }

  form.addEventListener("focusin", answer);
  form.addEventListener("input", answer);
  form.addEventListener("submit", function (event) {
    if (sending || fresh()) return;
    event.preventDefault();
    if (status.textContent) return; // already waiting for the answer
    if (!solving || (field.value !== "" && !fresh())) {
      solving = null;
      answer();
    }
    status.textContent = status.getAttribute("data-waiting");
    solving.then(function () {
      sending = true;
      status.textContent = "";
      if (form.requestSubmit) form.requestSubmit(event.submitter);
      else form.submit();
    });
  });
  // A page brought back with the Back button holds an answer the server has already taken.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    field.value = "";
    solving = null;
    sending = false;
    status.textContent = "";
  });
  field.value = "";
})();
