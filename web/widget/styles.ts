// The widget's CSS, inside its shadow root: nothing leaks in (`all: initial` on the host) or out.
export const styles = `
:host{all:initial;position:fixed;z-index:2147483000;bottom:0;right:0;--sb-primary:#0b7a5a;--sb-on-primary:#fff}
/* The page's own rules can reach the host element and what it passes down; the parts declare their own. */
.bubble,.panel{font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f23;text-align:left;letter-spacing:normal}
*{box-sizing:border-box}
button,input,textarea{font:inherit;color:inherit}
button{cursor:pointer}
:focus-visible{outline:3px solid #1a73e8;outline-offset:2px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.bubble{position:fixed;right:20px;bottom:20px;width:60px;height:60px;border-radius:50%;border:0;background:var(--sb-primary);color:var(--sb-on-primary);box-shadow:0 4px 14px rgba(0,0,0,.25);display:flex;align-items:center;justify-content:center}
.bubble svg{width:28px;height:28px;fill:currentColor}
.panel{position:fixed;right:20px;bottom:92px;width:370px;height:min(600px,calc(100vh - 112px));background:#fff;border-radius:14px;box-shadow:0 8px 30px rgba(0,0,0,.25);display:flex;flex-direction:column;overflow:hidden}
.panel[hidden]{display:none}
/* a hidden form stays hidden: the form rule below would otherwise show it */
[hidden]{display:none!important}
header{background:var(--sb-primary);color:var(--sb-on-primary);padding:12px 14px;display:flex;align-items:center;gap:8px}
header .t{flex:1;min-width:0}
h2{font-size:16px;margin:0;font-weight:600}
.status{font-size:12px;opacity:.9;margin:2px 0 0}
header button{flex:none;white-space:nowrap;background:rgba(255,255,255,.18);color:inherit;border:0;border-radius:8px;padding:6px 9px;font-size:13px}
.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f5f6f7}
.m{max-width:85%;padding:8px 11px;border-radius:12px;background:#fff;border:1px solid #e2e4e7;white-space:pre-wrap;overflow-wrap:anywhere}
.m.visitor{align-self:flex-end;background:var(--sb-primary);color:var(--sb-on-primary);border-color:transparent}
.m.agent{border-left:4px solid #7b3fe4}
.m.system{align-self:center;background:transparent;border:0;font-size:13px;color:#555;text-align:center}
.who{display:block;font-size:11px;font-weight:600;color:#555;margin-bottom:2px}
.m.agent .who{color:#7b3fe4}
.m img{display:block;max-width:100%;border-radius:8px;margin-top:4px}
.m a{color:inherit}
.seen{display:block;font-size:11px;opacity:.8;text-align:right}
.choices{display:flex;flex-wrap:wrap;gap:6px;margin-top:6px}.choice{background:transparent;color:inherit;border:1px solid var(--sb-primary);border-radius:14px;padding:5px 10px;text-align:left}.offer{display:block;margin-top:6px;background:var(--sb-primary);color:var(--sb-on-primary);border:0;border-radius:8px;padding:6px 10px}
.typing{font-size:12px;color:#555;padding:0 12px 4px;min-height:18px;background:#f5f6f7}
form{display:flex;gap:6px;padding:10px;border-top:1px solid #e2e4e7;align-items:flex-end;background:#fff}
textarea,input[type=email]{flex:1;border:1px solid #c5c9ce;border-radius:10px;padding:8px 10px;resize:none;max-height:120px;min-height:40px}
form button{border:0;border-radius:10px;min-width:40px;height:40px;padding:0 12px;background:var(--sb-primary);color:var(--sb-on-primary)}
form button.attach{background:#e9ebee;color:#1b1f23}
.email,.ask-name{flex-wrap:wrap}
.email p,.ask-name p{margin:0 0 4px;width:100%;font-size:13px}
.email label,.ask-name label{width:100%;font-size:12px;font-weight:600;color:#555}
.ask-name input{flex:1;border:1px solid #c5c9ce;border-radius:10px;padding:8px 10px;min-height:40px;min-width:0}
form button.skip{background:#e9ebee;color:#1b1f23}
@media (max-width:480px){.panel{inset:0;width:100%;height:100%;border-radius:0}}
@media (prefers-reduced-motion:no-preference){.panel{animation:sb-in .15s ease-out}@keyframes sb-in{from{opacity:0;transform:translateY(8px)}}}
`;
