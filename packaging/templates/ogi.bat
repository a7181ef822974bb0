@echo off
rem Runs ogi from the bundle's environment; ogi命令行.bat puts this folder on PATH.
rem "python -m ogi" keeps working after the bundle's folder is moved.
"%~dp0..\venv\Scripts\python.exe" -m ogi %*
