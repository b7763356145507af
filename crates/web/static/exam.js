// The time left of an exam sitting, from the deadline the server gave; the server refuses a late hand-in anyway.
(function () {
  var el = document.getElementById('countdown');
  if (!el) return;
  var deadline = Number(el.getAttribute('data-deadline'));
  function tick() {
    var left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    el.textContent = m + ':' + (s < 10 ? '0' : '') + s;
    if (left > 0) setTimeout(tick, 1000);
  }
  tick();
})();
