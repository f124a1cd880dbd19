// Check-in at the door: scan officers' QR codes with the device camera (over HTTPS). The
// browser reads the code itself where it can (BarcodeDetector); otherwise frames go to the
// server to be read. A hand scanner or typing fills the same form.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("checkin-form");
  const input = document.getElementById("code");
  const start = document.getElementById("camera-start");
  const note = document.getElementById("camera-note");
  if (!form || !input) return;
  const SAME_CODE_MS = 8000;
  // After a search by name or mobile, the cursor stays in the search box.
  const search = document.getElementById("q");
  if (!(search && search.value)) input.focus();
  if (!(navigator.mediaDevices && window.isSecureContext)) { if (note) note.hidden = false; return; }
  start.hidden = false;

  const video = document.getElementById("camera-video");
  const canvas = document.getElementById("camera-frame");
  const detector = "BarcodeDetector" in window ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;

  const readOnServer = async () => {
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    const frame = await new Promise((done) => canvas.toBlob(done, "image/jpeg", 0.8));
    if (!frame) return null;
    const response = await fetch(form.dataset.decode, {
      method: "POST", body: frame, credentials: "same-origin",
      headers: { "Content-Type": "image/jpeg", "X-CSRFToken": form.dataset.csrf },
    }).catch(() => null);
    return response && response.ok ? (await response.json()).text : null;
  };
  const read = async () => {
    if (!video.videoWidth) return null;
    if (detector) {
      const codes = await detector.detect(video).catch(() => []);
      return codes.length ? codes[0].rawValue : null;
    }
    return readOnServer();
  };

  const run = async () => {
    window.sessionStorage.setItem("checkinCamera", "1");
    document.getElementById("camera").hidden = false;
    start.hidden = true;
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    video.srcObject = stream;
    await video.play();
    const tick = async () => {
      const text = await read();
      // The person just checked in is often still holding their code up: the same code is
      // let go for a few seconds, so the result shown is theirs, not "already checked in".
      const last = JSON.parse(window.sessionStorage.getItem("checkinLast") || "{}");
      if (text && !(text === last.text && Date.now() - last.at < SAME_CODE_MS)) {
        window.sessionStorage.setItem("checkinLast", JSON.stringify({ text, at: Date.now() }));
        input.value = text;
        stream.getTracks().forEach((t) => t.stop());
        form.submit();
        return;
      }
      window.setTimeout(tick, detector ? 250 : 600);
    };
    tick();
  };
  start.addEventListener("click", run);
  // After a scan the page reloads with the result; keep the camera on for the next person.
  if (window.sessionStorage.getItem("checkinCamera") === "1") run();
});
