// The one script of the dashboard: a running job's page follows its log and status through
// server-sent events. The server renders and escapes every line; this only appends them.
(function () {
  'use strict';
  var log = document.getElementById('log');
  if (!log || !log.dataset.events || !window.EventSource) return;
  var source = new EventSource(log.dataset.events);
  function atBottom() {
    return window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
  }
  source.addEventListener('lines', function (event) {
    var follow = atBottom();
    log.insertAdjacentHTML('beforeend', JSON.parse(event.data).html);
    if (follow) window.scrollTo(0, document.body.scrollHeight);
  });
  source.addEventListener('status', function (event) {
    var status = JSON.parse(event.data).status;
    var badge = document.getElementById('job-status');
    if (!badge) return;
    badge.textContent = status;
    badge.className = 'status status-' + status;
    badge.dataset.status = status;
  });
  source.addEventListener('end', function () {
    source.close();
  });
})();
