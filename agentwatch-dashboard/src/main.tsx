import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { exposeDiagnostics } from './diagnostics';
import { connection, live, restoreSession } from './session';
import './styles.css';

exposeDiagnostics({ live, connection });
restoreSession();
createRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>);
