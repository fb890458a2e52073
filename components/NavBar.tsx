'use client';
// The top navigation: one link per section, the current one marked for the eye and for
// assistive tech (aria-current), the sign-in state and the live badge.
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { SessionBadge } from './auth/SessionBadge.tsx';
import { LiveStatus } from './LiveStatus.tsx';

const sections = [
  { href: '/', label: 'Dashboard' },
  { href: '/simulator', label: 'Simulator' },
  { href: '/checkouts', label: 'Checkouts' },
  { href: '/attribution', label: 'Attribution' },
  { href: '/admin', label: 'Admin' },
] as const;

export function NavBar() {
  const pathname = usePathname();
  return (
    <header className="topbar">
      <div className="topbar__inner">
        <Link href="/" className="brand">
          Clickstream
        </Link>
        <nav aria-label="Main">
          <ul className="nav-links">
            {sections.map(({ href, label }) => {
              const current = href === '/' ? pathname === '/' : pathname.startsWith(href);
              return (
                <li key={href}>
                  <Link href={href} aria-current={current ? 'page' : undefined}>
                    {label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="topbar__right">
          <SessionBadge />
          <LiveStatus />
        </div>
      </div>
    </header>
  );
}
