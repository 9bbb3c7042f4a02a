// The hall screen: read a new call out loud ("请 A012 号到 3 号窗口办理") where the browser has a voice.
// No network: speechSynthesis uses the voices installed on the screen's computer; none, no sound.
(function () {
  var last = null;
  function announce() {
    var latest = document.querySelector(".screen-latest");
    if (!latest) { return; }
    var call = latest.getAttribute("data-call");
    if (last === null) { last = call; return; }  // what was on screen when the page opened is not read
    if (call === last) { return; }
    last = call;
    latest.classList.add("flash");
    if (window.speechSynthesis) {
      var words = new SpeechSynthesisUtterance(latest.getAttribute("data-say"));
      words.lang = document.documentElement.lang === "en" ? "en" : "zh-CN";
      window.speechSynthesis.speak(words);
    }
  }
  document.addEventListener("DOMContentLoaded", announce);
  document.addEventListener("htmx:afterSwap", announce);
})();
