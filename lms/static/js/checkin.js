// Check-in at the door: scan officers' QR codes with the device camera where the browser can
// (BarcodeDetector, over HTTPS); otherwise a hand scanner or typing fills the same form.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("checkin-form");
  const input = document.getElementById("code");
  const start = document.getElementById("camera-start");
  const note = document.getElementById("camera-note");
  if (!form || !input) return;
  input.focus();
  const canScan = "BarcodeDetector" in window && navigator.mediaDevices && window.isSecureContext;
  if (!canScan) { if (note) note.hidden = false; return; }
  start.hidden = false;
  const run = async () => {
    window.sessionStorage.setItem("checkinCamera", "1");
    const video = document.getElementById("camera-video");
    document.getElementById("camera").hidden = false;
    start.hidden = true;
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    video.srcObject = stream;
    await video.play();
    const tick = async () => {
      const codes = await detector.detect(video).catch(() => []);
      if (codes.length) {
        input.value = codes[0].rawValue;
        stream.getTracks().forEach((t) => t.stop());
        form.submit();
        return;
      }
      window.setTimeout(tick, 250);
    };
    tick();
  };
  start.addEventListener("click", run);
  // After a scan the page reloads with the result; keep the camera on for the next person.
  if (window.sessionStorage.getItem("checkinCamera") === "1") run();
});
