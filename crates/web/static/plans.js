// Emergency plans on a phone: registers the service worker that keeps the plans for offline use, and on a plan's
// page keeps the steps ticked with their times on the phone (localStorage), so they survive a lost network and a
// reload; the form sends them when the network is back.
(function () {
  var state = document.getElementById('offline-state');
  function say(text) { if (state) state.textContent = text; }
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js').then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      document.documentElement.setAttribute('data-offline-ready', '1');
      if (!navigator.onLine) say('当前离线：显示的是本机保存的预案 / offline: showing the plans kept on this phone');
    }).catch(function () { say('本浏览器不能离线保存预案 / this browser cannot keep the plans offline'); });
  }
  window.addEventListener('offline', function () { say('当前离线：步骤勾选保存在本机 / offline: ticks are kept on this phone'); });
  window.addEventListener('online', function () { say(''); });

  var steps = document.getElementById('steps');
  if (!steps) return;
  var key = 'anbao-plan-run:' + steps.getAttribute('data-plan');
  function load() {
    try { return JSON.parse(localStorage.getItem(key)) || { started: 0, ticks: {} }; } catch (e) { return { started: 0, ticks: {} }; }
  }
  function save(run) { localStorage.setItem(key, JSON.stringify(run)); }
  function two(n) { return (n < 10 ? '0' : '') + n; }
  function hhmm(ms) { var d = new Date(ms); return two(d.getHours()) + ':' + two(d.getMinutes()) + ':' + two(d.getSeconds()); }
  function show(run) {
    var boxes = steps.querySelectorAll('input[data-step]');
    for (var i = 0; i < boxes.length; i++) {
      var n = boxes[i].getAttribute('data-step');
      var at = run.ticks[n];
      boxes[i].checked = !!at;
      var t = steps.querySelector('[data-time="' + n + '"]');
      if (t) t.textContent = at ? '✓ ' + hhmm(at) : '';
    }
    var s = document.getElementById('started');
    if (s) s.textContent = run.started ? '开始于 ' + hhmm(run.started) : '';
  }
  var run = load();
  show(run);
  steps.addEventListener('change', function (e) {
    var n = e.target.getAttribute && e.target.getAttribute('data-step');
    if (!n) return;
    var now = Date.now();
    if (!run.started) run.started = now;
    if (e.target.checked) run.ticks[n] = now; else delete run.ticks[n];
    save(run);
    show(run);
  });
  document.getElementById('reset-run').addEventListener('click', function () {
    run = { started: 0, ticks: {} };
    save(run);
    show(run);
  });
  document.getElementById('run-form').addEventListener('submit', function (e) {
    if (!navigator.onLine) {
      e.preventDefault();
      say('当前离线：处置记录已保存在本机，联网后请再点“保存处置记录” / offline: kept on this phone, save again when online');
      return;
    }
    var ticks = Object.keys(run.ticks).map(function (n) { return { step: Number(n), at: run.ticks[n] }; });
    document.getElementById('started_at').value = String(run.started || Date.now());
    document.getElementById('ticks').value = JSON.stringify(ticks);
    localStorage.removeItem(key);
  });
})();
