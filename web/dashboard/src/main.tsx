// The dashboard: sign in with a key (exchanged for an HttpOnly session cookie), pick an
// organization, work in one section at a time. Sections live at /dashboard/<section> so a reload or
// a shared link lands in the same place.
import { useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { forgetOldStoredKey, get, SIGNED_OUT_EVENT, signIn, signOut } from './api.js';
import { Agents } from './sections/Agents.js';
import { Conversations } from './sections/Conversations.js';
import { Guide, hasNothingYet } from './sections/Guide.js';
import { Knowledge } from './sections/Knowledge.js';
import { Numbers } from './sections/Numbers.js';
import { Organizations, type Organization } from './sections/Organizations.js';
import { Unrouted } from './sections/Unrouted.js';
import { Usage } from './sections/Usage.js';
import { Widgets } from './sections/Widgets.js';
import { ErrorBox, LimitBanner, useLoad } from './ui.js';
import './styles.css';

export interface SectionProps {
  org: Organization;
  platform: boolean;
  /** reads the list again; with an id, selects that organization first ('' forgets the selection) */
  reloadOrganizations: (select?: string) => void;
  /** opens another section (the first-run guide links to the full ones) */
  go: (section: string) => void;
}

const SECTIONS = {
  guide: { title: 'Get started', view: Guide },
  conversations: { title: 'Conversations', view: Conversations },
  organizations: { title: 'Organization', view: Organizations },
  numbers: { title: 'Numbers', view: Numbers },
  agents: { title: 'Agents', view: Agents },
  knowledge: { title: 'Knowledge base', view: Knowledge },
  widgets: { title: 'Widgets', view: Widgets },
  usage: { title: 'Usage', view: Usage },
  unrouted: { title: 'Unrouted events', view: Unrouted },
} as const;
type SectionName = keyof typeof SECTIONS;

/** The section the address names, if it names one. */
function namedSection(): SectionName | undefined {
  const name = location.pathname.split('/')[2] as SectionName;
  return name in SECTIONS ? name : undefined;
}

function sectionFromPath(): SectionName {
  return namedSection() ?? 'conversations';
}

function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    try {
      await signIn(key.trim());
      setKey('');
      onSignedIn();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <main className="signin">
      <form className="card" onSubmit={submit}>
        <h1>Switchboard</h1>
        <p>Sign in with the platform administrator key or an organization key.</p>
        <label className="field">
          <span>API key</span>
          <input type="password" value={key} onChange={(e) => setKey(e.target.value)} autoComplete="current-password" required />
        </label>
        <ErrorBox error={error} />
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}

function Dashboard({ onSignOut }: { onSignOut: () => void }) {
  const [section, setSection] = useState<SectionName>(sectionFromPath);
  const [orgId, setOrgId] = useState<string>(() => localStorage.getItem('switchboard.org') ?? '');
  // read again each minute: the plan-limit banner follows the month's count
  const orgs = useLoad(() => get<{ organizations: Organization[] }>('/api/organizations').then((b) => b.organizations), [], 60_000);
  const platform = useLoad(() => get<{ kind: string }>('/api/whoami').then((b) => b.kind === 'platform'), []);

  useEffect(() => {
    const onPop = () => setSection(sectionFromPath());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  const go = (name: SectionName) => {
    history.pushState(null, '', `/dashboard/${name}`);
    setSection(name);
  };
  const list = orgs.data ?? [];
  const org = list.find((o) => o.id === orgId) ?? list[0];
  const choose = (id: string) => {
    localStorage.setItem('switchboard.org', id);
    setOrgId(id);
  };
  // Signed in with an organization key and no section in the address: an organization with nothing
  // set up yet lands on the guide rather than an empty inbox. Asked once; a section opened
  // meanwhile wins.
  const landing = useRef(namedSection() === undefined);
  const orgToCheck = platform.data === false ? org?.id : undefined;
  useEffect(() => {
    if (!landing.current || !orgToCheck) return;
    landing.current = false;
    hasNothingYet(orgToCheck).then(
      (nothing) => {
        if (!nothing || namedSection() !== undefined) return;
        history.replaceState(null, '', '/dashboard/guide');
        setSection('guide');
      },
      // the inbox stays; the sections show their own errors
      () => {},
    );
  }, [orgToCheck]);
  // Signed in with the platform key and no section in the address: Organizations, where the first
  // step is (or the guide when there is exactly one organization), not an organization's inbox.
  const adminLanding = landing.current && platform.data === true && orgs.data !== undefined;
  useEffect(() => {
    if (!adminLanding) return;
    landing.current = false;
    if (namedSection() !== undefined) return;
    const first: SectionName = orgs.data!.length === 1 ? 'guide' : 'organizations';
    history.replaceState(null, '', `/dashboard/${first}`);
    setSection(first);
  }, [adminLanding]);
  // the landing is not decided yet for the platform key: no inbox flashes by meanwhile
  const deciding =
    landing.current && namedSection() === undefined && (platform.data === undefined || (platform.data && orgs.data === undefined && !orgs.error));
  const names = (Object.keys(SECTIONS) as SectionName[]).filter((n) => n !== 'unrouted' || platform.data);
  // unrouted events are the platform's alone; an organization key landing there sees its inbox
  const shown: SectionName = section === 'unrouted' && !platform.data ? 'conversations' : section;
  const View = SECTIONS[shown].view;

  return (
    <div className="layout">
      <header className="topbar">
        <strong className="brand">Switchboard</strong>
        {list.length > 0 && (
          <select aria-label="Organization" value={org?.id ?? ''} onChange={(e) => choose(e.target.value)}>
            {list.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        )}
        <button type="button" className="link" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <nav className="tabs" aria-label="Sections">
        {names.map((name) => (
          <a
            key={name}
            href={`/dashboard/${name}`}
            className={name === shown ? 'active' : ''}
            onClick={(e) => {
              e.preventDefault();
              go(name);
            }}
          >
            {SECTIONS[name].title}
          </a>
        ))}
      </nav>
      <main className="content">
        <ErrorBox error={orgs.error} />
        {org && shown !== 'unrouted' && <LimitBanner org={org} onUsage={() => go('usage')} />}
        {deciding ? null : shown === 'unrouted' ? (
          <Unrouted />
        ) : shown === 'organizations' || org ? (
          <View
            org={org!}
            platform={Boolean(platform.data)}
            go={(name) => name in SECTIONS && go(name as SectionName)}
            reloadOrganizations={(select) => {
              if (select !== undefined) choose(select);
              void orgs.reload();
            }}
          />
        ) : (
          orgs.data && <p>No organization yet. Create one under “Organization”.</p>
        )}
      </main>
    </div>
  );
}

function App() {
  // undefined while the server is asked whether the session cookie still stands
  const [signedIn, setSignedIn] = useState<boolean>();
  useEffect(() => {
    forgetOldStoredKey();
    const signedOut = () => setSignedIn(false);
    addEventListener(SIGNED_OUT_EVENT, signedOut);
    get<{ signedIn: boolean }>('/api/session').then(
      (b) => setSignedIn(b.signedIn),
      () => setSignedIn(false),
    );
    return () => removeEventListener(SIGNED_OUT_EVENT, signedOut);
  }, []);
  if (signedIn === undefined) return null;
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  return (
    <Dashboard
      onSignOut={() => {
        signOut().then(
          () => setSignedIn(false),
          () => setSignedIn(false),
        );
      }}
    />
  );
}

createRoot(document.getElementById('root')!).render(<App />);
