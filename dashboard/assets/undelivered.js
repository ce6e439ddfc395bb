// The list of messages not delivered: "Send again" queues one again.
// Served as a file, as the Content-Security-Policy allows no inline script.
(function () {
  document.querySelectorAll("button.resend").forEach(function (b) {
    b.addEventListener("click", function () {
      b.disabled = true;
      fetch("undelivered/" + b.dataset.id + "/resend", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: "{}", credentials: "same-origin"
      }).then(function (res) {
        b.textContent = res.ok ? "Queued again" : "Could not: " + res.status;
        b.closest("tr").classList.toggle("queued", res.ok);
        if (!res.ok) b.disabled = false;
      });
    });
  });
})();
