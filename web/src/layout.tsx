// App shell: sidebar navigation (NetBox SSL's menu), top bar with search, theme and user.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { User } from './api';
import { logout } from './auth';
import { Toasts } from './components';
import { Icon } from './icons';
import { Link, navigate, useLocation } from './router';
import { setTheme, useTheme } from './theme';

interface NavItem {
  href: string;
  label: string;
  icon: string;
}

const NAV: { title: string; items: NavItem[]; admin?: boolean }[] = [
  {
    title: 'SSL Certificates',
    items: [
      { href: '/certificates', label: 'Certificates', icon: 'cert' },
      { href: '/import', label: 'Import', icon: 'import' },
      { href: '/assignments', label: 'Assignments', icon: 'link' },
      { href: '/certificate-authorities', label: 'Certificate Authorities', icon: 'ca' },
      { href: '/csrs', label: 'CSRs', icon: 'csr' },
      { href: '/analytics', label: 'Analytics', icon: 'chart' },
    ],
  },
  {
    title: 'Organization',
    items: [
      { href: '/tenants', label: 'Tenants', icon: 'tenant' },
      { href: '/tags', label: 'Tags', icon: 'tag' },
    ],
  },
  {
    title: 'Infrastructure',
    items: [
      { href: '/devices', label: 'Devices', icon: 'device' },
      { href: '/virtual-machines', label: 'Virtual Machines', icon: 'vm' },
      { href: '/services', label: 'Services', icon: 'service' },
    ],
  },
  {
    title: 'Admin',
    admin: true,
    items: [
      { href: '/admin/users', label: 'Users', icon: 'user' },
      { href: '/admin/tokens', label: 'API Tokens', icon: 'key' },
    ],
  },
];

export function ThemeToggle() {
  const t = useTheme();
  const next = t === 'dark' ? 'light' : 'dark';
  return (
    <button type="button" class="btn btn-icon btn-ghost theme-toggle" aria-label={`Switch to ${next} theme`} title={`Switch to ${next} theme`} onClick={() => setTheme(next)}>
      <Icon name={t === 'dark' ? 'sun' : 'moon'} />
    </button>
  );
}

function isActive(path: string, href: string): boolean {
  if (href === '/import') return path === '/import';
  return path === href || path.startsWith(`${href}/`);
}

export function Layout(props: { user: User; children: ComponentChildren }) {
  const loc = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [loc.href]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setMenuOpen(false);
      // "/" focuses the search, as in NetBox and most consoles.
      const t = e.target as HTMLElement;
      if (e.key === '/' && !(t.closest('input, textarea, select, [contenteditable]'))) {
        e.preventDefault();
        document.getElementById('global-search')?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div class={`shell ${menuOpen ? 'menu-open' : ''}`}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <aside class="sidebar" id="sidebar" aria-label="Main navigation">
        <Link href="/" class="brand">
          <span class="brand-mark" aria-hidden="true">
            <Icon name="ca" size={20} />
          </span>
          <span>certkeeper</span>
        </Link>
        <nav>
          <Link href="/" class={`nav-item ${loc.path === '/' ? 'active' : ''}`} aria-current={loc.path === '/' ? 'page' : undefined}>
            <Icon name="home" /> Dashboard
          </Link>
          {NAV.filter((g) => !g.admin || props.user.is_superuser).map((g) => (
            <div class="nav-group" key={g.title}>
              <div class="nav-title">{g.title}</div>
              {g.items.map((it) => {
                const active = isActive(loc.path, it.href);
                return (
                  <Link key={it.href} href={it.href} class={`nav-item ${active ? 'active' : ''}`} aria-current={active ? 'page' : undefined}>
                    <Icon name={it.icon} /> {it.label}
                  </Link>
                );
              })}
            </div>
          ))}
        </nav>
      </aside>
      <div class="scrim" onClick={() => setMenuOpen(false)} aria-hidden="true" />
      <div class="main-col">
        <header class="topbar">
          <button type="button" class="btn btn-icon btn-ghost menu-btn" aria-label="Menu" aria-controls="sidebar" aria-expanded={menuOpen} onClick={() => setMenuOpen(!menuOpen)}>
            <Icon name="menu" />
          </button>
          <form
            class="search global-search"
            role="search"
            onSubmit={(e) => {
              e.preventDefault();
              const input = e.currentTarget.elements.namedItem('q') as HTMLInputElement;
              const q = input.value.trim();
              navigate(q ? `/certificates?q=${encodeURIComponent(q)}` : '/certificates');
              input.value = '';
              input.blur();
            }}
          >
            <Icon name="search" class="search-icon" />
            <input id="global-search" name="q" type="search" placeholder="Search certificates…" title="Common name, SAN, serial or fingerprint (press / to focus)" aria-label="Search certificates" />
            <kbd class="kbd" aria-hidden="true">
              /
            </kbd>
          </form>
          <div class="grow" />
          <ThemeToggle />
          <div class="user" title={props.user.is_superuser ? 'Superuser' : 'User'}>
            <span class="avatar" aria-hidden="true">
              {props.user.username.slice(0, 1).toUpperCase()}
            </span>
            <span class="user-name">{props.user.username}</span>
          </div>
          <button type="button" class="btn btn-ghost" onClick={() => logout()}>
            <Icon name="logout" /> <span class="hide-sm">Sign out</span>
          </button>
        </header>
        <main id="main" tabIndex={-1}>
          {props.children}
        </main>
      </div>
      <Toasts />
    </div>
  );
}
