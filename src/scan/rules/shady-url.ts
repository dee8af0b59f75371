import { lineAt } from '../patterns.js';
import type { ScanRule } from '../types.js';

const URL_RE = /\b(?:https?|ftp|wss?):\/\/([^\s/'"`<>)\]]+)/gi;
/** Where exfiltration and second stages go: paste sites, webhooks, tunnels, out-of-band testing hosts, shorteners. */
const SHADY_HOSTS = /(?:^|\.)(?:pastebin\.com|paste\.ee|hastebin\.com|ghostbin\.\w+|rentry\.co|transfer\.sh|webhook\.site|pipedream\.net|requestbin\.\w+|ngrok(?:-free)?\.(?:io|app|dev)|oast\.(?:fun|pro|live|site|online|me)|interact\.sh|burpcollaborator\.net|canarytokens\.com|serveo\.net|loca\.lt|bit\.ly|tinyurl\.com|api\.telegram\.org|hooks\.slack\.com)$/i;
const WEBHOOK_PATH = /\bdiscord(?:app)?\.com\/api\/webhooks\//i;

/** URLs to an IP address, a paste site, a webhook or a tunnel in install-time code. */
export const shadyUrl: ScanRule = {
  id: 'shady-url',
  confidence: 'medium',
  scan(doc) {
    const out: Array<{ line: number; message: string }> = [];
    for (const m of doc.text.matchAll(URL_RE)) {
      const host = m[1]!.replace(/:\d+$/, '').replace(/^[^@]*@/, '').toLowerCase();
      let why: string | undefined;
      if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) && !host.startsWith('127.') && host !== '0.0.0.0') why = 'an IP address';
      else if (host.startsWith('[') && host !== '[::1]') why = 'an IP address';
      else if (SHADY_HOSTS.test(host)) why = `${host} (paste site, webhook, tunnel or shortener)`;
      else if (WEBHOOK_PATH.test(m[0] + doc.text.slice(m.index! + m[0].length, m.index! + m[0].length + 20))) why = 'a Discord webhook';
      if (why) out.push({ line: lineAt(doc, m.index!), message: `a URL to ${why}` });
    }
    return out.slice(0, 3);
  },
};
