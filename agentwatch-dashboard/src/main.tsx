import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { restoreSession } from './session';
import './styles.css';

restoreSession();
createRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>);
