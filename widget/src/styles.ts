/** The widget's styles, scoped by its shadow root. Colours meet WCAG AA contrast on white. */
export const STYLES =
  `
:host { all: initial; }
* { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
button { font: inherit; cursor: pointer; }
button:focus-visible, textarea:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; width: 56px; ` +
  `height: 56px; border-radius: 50%;
  border: 0; background: #1d4ed8; color: #fff; box-shadow: 0 4px 14px rgba(0,0,0,.25); display: grid; ` +
  `place-items: center; }
.panel { position: fixed; right: 20px; bottom: 88px; z-index: 2147483000; width: 370px; max-width: calc(100vw - 24px);
  height: 540px; max-height: calc(100vh - 110px); background: #fff; color: #111827; border-radius: 14px;
  box-shadow: 0 12px 40px rgba(0,0,0,.3); display: flex; flex-direction: column; overflow: hidden; font-size: 14px; }
.panel[hidden] { display: none; }
header { background: #1d4ed8; color: #fff; display: flex; align-items: center; ` +
  `justify-content: space-between; padding: 12px 16px; }
header h2 { margin: 0; font-size: 16px; font-weight: 600; }
.close { background: transparent; color: #fff; border: 0; font-size: 24px; line-height: 1; padding: 0 4px; }
.messages { list-style: none; margin: 0; padding: 12px; flex: 1; overflow-y: auto; ` +
  `display: flex; flex-direction: column; gap: 8px; }
.msg { max-width: 85%; padding: 8px 12px; border-radius: 12px; background: #f3f4f6; align-self: flex-start; }
.msg p { margin: 2px 0 0; white-space: pre-wrap; line-height: 1.4; }
.msg .who { font-size: 11px; font-weight: 600; color: #4b5563; }
.msg.customer { align-self: flex-end; background: #1d4ed8; color: #fff; }
.msg.customer .who { color: #dbeafe; }
.msg.agent { background: #ecfdf5; border: 1px solid #a7f3d0; }
.msg.system { background: #fffbeb; border: 1px solid #fde68a; }
.msg.pending p { color: #4b5563; font-style: italic; }
.actions { display: flex; flex-wrap: wrap; gap: 6px; padding: 0 12px; }
.actions:empty { display: none; }
.actions button { border-radius: 999px; padding: 6px 12px; border: 1px solid #1d4ed8; ` +
  `background: #fff; color: #1d4ed8; }
.actions .solved { background: #047857; border-color: #047857; color: #fff; }
.actions .human { background: #fff; border-color: #374151; color: #111827; }
.composer { display: flex; gap: 8px; padding: 12px; border-top: 1px solid #e5e7eb; }
.composer textarea { flex: 1; resize: none; border: 1px solid #9ca3af; border-radius: 8px; ` +
  `padding: 8px; font-size: 14px; color: #111827; }
.send { border: 0; border-radius: 8px; background: #1d4ed8; color: #fff; padding: 0 16px; }
.send:disabled { background: #6b7280; }
.status { margin: 0; padding: 0 12px 8px; font-size: 12px; color: #374151; min-height: 1em; }
.walk-ring { position: fixed; z-index: 2147482999; border: 3px solid #f59e0b; border-radius: 8px; pointer-events: none;
  box-shadow: 0 0 0 9999px rgba(17,24,39,.35); }
.walk-card { position: fixed; z-index: 2147483001; width: 300px; background: #fff; color: #111827; border-radius: 10px;
  padding: 12px 14px; box-shadow: 0 8px 30px rgba(0,0,0,.3); font-size: 14px; }
.walk-card.floating { top: 20px; left: 50%; transform: translateX(-50%); }
.walk-card h3 { margin: 4px 0; font-size: 15px; }
.walk-card p { margin: 4px 0; }
.walk-count { font-size: 12px; color: #4b5563; }
.walk-missing { color: #92400e; }
.walk-nav { display: flex; gap: 6px; justify-content: flex-end; margin-top: 8px; }
.walk-nav button { border-radius: 6px; padding: 4px 10px; border: 1px solid #1d4ed8; background: #fff; color: #1d4ed8; }
.walk-nav button:nth-child(2) { background: #1d4ed8; color: #fff; }
.walk-nav button:disabled { opacity: .5; cursor: default; }
@media (max-width: 480px) {
  .panel { right: 0; bottom: 0; width: 100vw; max-width: 100vw; height: 100vh; max-height: 100vh; border-radius: 0; }
  .launcher { right: 12px; bottom: 12px; }
}
`;
