// Behaviour kept out of the HTML, so the Content Security Policy can forbid inline script.
document.querySelectorAll("select[data-submit-on-change]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});

// Parts of a page that follow an export while it is not settled. An element with data-live-url
// asks that URL for its own HTML again every data-live-seconds, less often while nothing
// changes, not while the tab is hidden, and no more once an answer carries no data-live-url.
// Within one situation (the same data-live-key) only the text of [data-live-line] changes, so a
// screen reader hears the new words and nothing else; otherwise the whole part is replaced.
const LIVE_SLOWEST_MS = 30000;

function liveSwap(root, fresh) {
  const lines = root.querySelectorAll("[data-live-line]");
  const freshLines = fresh.querySelectorAll("[data-live-line]");
  if (fresh.dataset.liveKey && fresh.dataset.liveKey === root.dataset.liveKey
      && lines.length === freshLines.length) {
    lines.forEach((line, index) => {
      if (line.textContent !== freshLines[index].textContent) {
        line.textContent = freshLines[index].textContent;
      }
    });
    return;
  }
  const open = [...root.querySelectorAll("details[data-live-keep-open]")].map((d) => d.open);
  root.getAttributeNames().forEach((name) => root.removeAttribute(name));
  fresh.getAttributeNames().forEach((name) => root.setAttribute(name, fresh.getAttribute(name)));
  root.replaceChildren(...fresh.childNodes);
  root.querySelectorAll("details[data-live-keep-open]").forEach((details, index) => {
    details.open = Boolean(open[index]);
  });
}

function liveFollow(root) {
  const fastest = 1000 * Number(root.dataset.liveSeconds || 2);
  let delay = fastest;
  let last = null;
  let waiting = false;

  async function ask() {
    waiting = false;
    const url = root.dataset.liveUrl;
    if (!url || document.hidden) {
      return;
    }
    waiting = true;
    let html = null;
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (response.redirected || (response.status >= 400 && response.status < 500)) {
        // Logged out, or no longer allowed: the page as loaded stays, without following.
        waiting = false;
        return;
      }
      html = response.ok ? (await response.text()).trim() : null;
    } catch {
      html = null;
    }
    if (html === null || html === last) {
      delay = Math.min(delay * 1.5, LIVE_SLOWEST_MS);
    } else {
      last = html;
      delay = fastest;
      const template = document.createElement("template");
      template.innerHTML = html;
      const fresh = template.content.firstElementChild;
      if (fresh) {
        liveSwap(root, fresh);
      }
    }
    if (root.dataset.liveUrl) {
      setTimeout(ask, delay);
    } else {
      waiting = false;
    }
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && !waiting) {
      delay = fastest;
      ask();
    }
  });
  waiting = true;
  setTimeout(ask, delay);
}

document.querySelectorAll("[data-live-url]").forEach(liveFollow);
