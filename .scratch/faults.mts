import { startLoopbackDeployment } from '/work/main/test/fixtures/verify/deployment.ts';
import { runVerify } from '/work/main/scripts/verify/run.ts';
const d = await startLoopbackDeployment();
try {
  const s = await d.serve({ site: (x, { prosodyHttpPort }) => x.replace(/location = \/metrics \{ return 404; \}/, `location = /metrics { proxy_pass http://127.0.0.1:${prosodyHttpPort}/metrics; }`), configJs: (js) => `${js}\nconfig.p2p.stunServers = [{ urls: "stun:meet-jit-si-turnrelay.jitsi.net:443" }];\nconfig.analytics.amplitudeAPPKey = "x";\n`, certificate: 'expired' });
  const r = await runVerify(s.options({ only: ['jitsi', 'privacy', 'tls'] }));
  for (const c of r.checks) console.log(c.status, c.id, c.detail);
} finally { await d.stop(); }
