# axpy (float, array(float64, 1d, C), array(float64, 1d, C), array(float64, 1d, C))
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 32 }
  subq $0x20, %rsp
  movq %rbx, (%rsp)
  unwind SaveReg { clobber_offset: 0, reg: p3i }
  movq %r12, 8(%rsp)
  unwind SaveReg { clobber_offset: 8, reg: p12i }
  movq %r13, 0x10(%rsp)
  unwind SaveReg { clobber_offset: 16, reg: p13i }
block0:
  vmovsd (%rdi), %xmm0
  movq 8(%rdi), %rax
  movq 0x10(%rdi), %rax
  movq 0x18(%rdi), %rax
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rax
  movq 0x30(%rdi), %rax
  movq 0x38(%rdi), %r9
  movq 0x40(%rdi), %rax
  movq 0x48(%rdi), %rax
  movq 0x50(%rdi), %rax
  movq 0x58(%rdi), %r8
  movq 0x60(%rdi), %rax
  jmp     label1
block1:
  movl 8(%rdx), %eax
  cmpl %eax, %ecx
  jnbe    label23; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq 0x18(%rdi), %rax
  movq %rax, %r10
  addq $0x0, %r10
  seto %cl
  cmpq %r9, %r10
  setg %r9b
  orl %ecx, %r9d
  testb %r9b, %r9b
  jnz     label5; j label6
block6:
  movq %rax, %r9
  addq $0x0, %r9
  seto %cl
  cmpq %r8, %r9
  setg %r8b
  orl %ecx, %r8d
  testb %r8b, %r8b
  jnz     label7; j label8
block8:
  movq 0x48(%rdi), %r8
  movq 0x58(%rdi), %rcx
  leaq (%r8, %rcx, 8), %rcx
  movq 8(%rdi), %r9
  cmpq %r9, %rcx
  setbe %r11b
  leaq (%r9, %rax, 8), %r10
  cmpq %r8, %r10
  setbe %r10b
  orl %r10d, %r11d
  movq 0x28(%rdi), %r10
  cmpq %r10, %rcx
  setbe %r12b
  movq 0x38(%rdi), %rcx
  leaq (%r10, %rcx, 8), %rcx
  cmpq %r8, %rcx
  setbe %cl
  orl %ecx, %r12d
  uninit  %rcx
  xorq %rcx, %rcx
  leaq -4(%rax), %r13
  movabsq $<address>, %rbx
  cmpq (%rip), %rax
  cmovgeq %r13, %rbx
  vmovsd (%rdi), %xmm0
  vpshufd $0x44, %xmm0, %xmm1
  testb %r11b, %r12b
  jnz     label9; j label10
block9:
  jmp     label11
block10:
  jmp     label14
block11:
  cmpq %rbx, %rcx
  jnle    label12; j label13
block12:
  jmp     label14
block13:
  vmulpd (%r9, %rcx, 8), %xmm1, %xmm7
  vaddpd (%r10, %rcx, 8), %xmm7, %xmm7
  vmovupd %xmm7, (%r8, %rcx, 8)
  leaq 2(%rcx), %r11
  vmulpd (%r9, %r11, 8), %xmm1, %xmm2
  vaddpd (%r10, %r11, 8), %xmm2, %xmm2
  vmovupd %xmm2, (%r8, %r11, 8)
  leaq 4(%rcx), %rcx
  jmp     label11
block14:
  jmp     label15
block15:
  cmpq %rax, %rcx
  jnl     label20; j label16
block16:
  vmulsd (%r9, %rcx, 8), %xmm0, %xmm1
  vaddsd (%r10, %rcx, 8), %xmm1, %xmm1
  vmovsd %xmm1, (%r8, %rcx, 8)
  jmp     label17
block17:
  movabsq $<address>, %r11
  movl (%r11), %r11d
  leaq 1(%rcx), %rcx
  testl %r11d, %r11d
  jnz     label19; j label18
block18:
  jmp     label15
block20:
  jmp     label21
block21:
  movq 0x48(%rdi), %rax
  movq 0x50(%rdi), %rcx
  movq 0x58(%rdi), %rdx
  movq 0x60(%rdi), %rdi
  movq %rax, (%rsi)
  movq %rcx, 8(%rsi)
  movq %rdx, 0x10(%rsi)
  movq %rdi, 0x18(%rsi)
  uninit  %rax
  xorl %eax, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r13
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block5:
  jmp     label22
block7:
  jmp     label22
block19:
  vmovsd (%rdi), %xmm0
  vmovsd %xmm0, 0x10(%rdx)
  movq 8(%rdi), %rsi
  movq 0x10(%rdi), %r8
  movq 0x18(%rdi), %r9
  movq 0x20(%rdi), %r10
  movq %rsi, 0x18(%rdx)
  movq %r8, 0x20(%rdx)
  movq %r9, 0x28(%rdx)
  movq %r10, 0x30(%rdx)
  movq 0x28(%rdi), %rsi
  movq 0x30(%rdi), %r8
  movq 0x38(%rdi), %r9
  movq 0x40(%rdi), %r10
  movq %rsi, 0x38(%rdx)
  movq %r8, 0x40(%rdx)
  movq %r9, 0x48(%rdx)
  movq %r10, 0x50(%rdx)
  movq 0x48(%rdi), %rsi
  movq 0x50(%rdi), %r8
  movq 0x58(%rdi), %r9
  movq 0x60(%rdi), %rdi
  movq %rsi, 0x58(%rdx)
  movq %r8, 0x60(%rdx)
  movq %r9, 0x68(%rdx)
  movq %rdi, 0x70(%rdx)
  movq %rax, 0x78(%rdx)
  movq $0x1, 0x80(%rdx)
  movq %rcx, 0x88(%rdx)
  movl $0x0, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r13
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block22:
  vmovsd %xmm0, 0x10(%rdx)
  movq 8(%rdi), %rcx
  movq 0x10(%rdi), %rsi
  movq 0x18(%rdi), %r8
  movq 0x20(%rdi), %r9
  movq %rcx, 0x18(%rdx)
  movq %rsi, 0x20(%rdx)
  movq %r8, 0x28(%rdx)
  movq %r9, 0x30(%rdx)
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %r8
  movq 0x40(%rdi), %r9
  movq %rcx, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %r8, 0x48(%rdx)
  movq %r9, 0x50(%rdx)
  movq 0x48(%rdi), %rcx
  movq 0x50(%rdi), %rsi
  movq 0x58(%rdi), %r8
  movq 0x60(%rdi), %rdi
  movq %rcx, 0x58(%rdx)
  movq %rsi, 0x60(%rdx)
  movq %r8, 0x68(%rdx)
  movq %rdi, 0x70(%rdx)
  movq %rax, 0x78(%rdx)
  movq $0x1, 0x80(%rdx)
  movq $0x0, 0x88(%rdx)
  movl $0x1, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r13
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block23:
  vmovsd %xmm0, 0x10(%rdx)
  movq 8(%rdi), %rax
  movq 0x10(%rdi), %rcx
  movq 0x18(%rdi), %rsi
  movq 0x20(%rdi), %r8
  movq %rax, 0x18(%rdx)
  movq %rcx, 0x20(%rdx)
  movq %rsi, 0x28(%rdx)
  movq %r8, 0x30(%rdx)
  movq 0x28(%rdi), %rsi
  movq 0x30(%rdi), %r8
  movq 0x38(%rdi), %r9
  movq 0x40(%rdi), %r10
  movq %rsi, 0x38(%rdx)
  movq %r8, 0x40(%rdx)
  movq %r9, 0x48(%rdx)
  movq %r10, 0x50(%rdx)
  movq 0x48(%rdi), %rsi
  movq 0x50(%rdi), %r8
  movq 0x58(%rdi), %r9
  movq 0x60(%rdi), %rdi
  movq %rsi, 0x58(%rdx)
  movq %r8, 0x60(%rdx)
  movq %r9, 0x68(%rdx)
  movq %rdi, 0x70(%rdx)
  movl $0x3, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r13
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
